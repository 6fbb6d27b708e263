"""Helpers for the admin browser tests: log in through the real form, find the error beside a field."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD


def login(page: Page, base: str, email: str = "owner@shop.test", password: str = PASSWORD) -> None:
    """Log in through the real form and wait for the admin navigation."""
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page.locator("nav.admin-nav")).to_be_visible()


def error_beside(page: Page, field_id: str) -> Locator:
    """Return the error paragraph in the same `.field` box as the input with this id."""
    return page.locator(f".field:has(#{field_id}) .error")


def submit_of(page: Page, field_id: str) -> Locator:
    """Return the submit button of the form holding the input with this id."""
    return page.locator(f"form:has(#{field_id}) button[type=submit]").last
