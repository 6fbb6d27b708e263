"""A demo shop in five languages: components, one resolved and one active incident with several updates;
the resolved one has its postmortem and checklist.

The incidents are composed from the playbooks (payment-failure, then delivery-delay) with their
per-language example values, exactly as the team's compose form would publish them, so `make run`
shows every language as it is meant to be read: messages, titles and component names.
"""

from __future__ import annotations

from datetime import timedelta

from statuspage.extensions import db
from statuspage.models import Component, Incident, Shop, utcnow
from statuspage.services import texts
from statuspage.services.aftercare import checklist, postmortem
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident, post_update, resolve
from statuspage.services.links import incident_url
from statuspage.services.playbooks.composer import Facts, compose
from statuspage.services.playbooks.lint import example_values
from statuspage.services.playbooks.loader import Playbook, get_playbook
from statuspage.services.shop import saved_shop

LANGS = "en,pl,ru,lv,ar"
# name, group, {lang: name}, {lang: description}
COMPONENTS = [
    ("Shopping", None, {"pl": "Zakupy", "ru": "Покупки", "lv": "Iepirkšanās", "ar": "التسوق"}, {}),
    ("Storefront", "Shopping",
     {"pl": "Sklep", "ru": "Витрина", "lv": "Veikals", "ar": "واجهة المتجر"},
     {"pl": "Przeglądanie i wyszukiwanie w sklepie", "ru": "Просмотр и поиск товаров",
      "lv": "Preču apskate un meklēšana", "ar": "تصفح المتجر والبحث فيه"}),
    ("Checkout", "Shopping",
     {"pl": "Kasa", "ru": "Оформление заказа", "lv": "Pirkuma noformēšana", "ar": "إتمام الشراء"}, {}),
    ("Payments", "Shopping",
     {"pl": "Płatności", "ru": "Оплата", "lv": "Maksājumi", "ar": "المدفوعات"}, {}),
    ("Delivery", None, {"pl": "Dostawa", "ru": "Доставка", "lv": "Piegāde", "ar": "التوصيل"}, {}),
    ("Customer support", None,
     {"pl": "Obsługa klienta", "ru": "Служба поддержки", "lv": "Klientu atbalsts",
      "ar": "خدمة العملاء"}, {}),
]  # fmt: skip


def load_demo() -> Incident:
    """Fill an empty database with a believable shop that publishes in five languages; return the
    active incident."""
    shop = _shop()
    made = _components()
    made["Storefront"].description = "Browsing and searching the shop"

    payments = get_playbook("payment-failure")
    old = _open(payments, shop, [made["Checkout"], made["Payments"]], "investigating", "major")
    _post(old, payments, shop, "identified")
    _post(old, payments, shop, "resolved")
    _backdate(old, days=3)
    _aftercare(old)

    delays = get_playbook("delivery-delay")
    active = _open(delays, shop, [made["Delivery"]], "investigating", "minor")
    _post(active, delays, shop, "identified")
    _backdate(active, hours=5)
    return active


# The resolved incident's postmortem and the team's own item, written in every language.
POSTMORTEM = {
    "en": "# What happened\n\nFor about two hours, card payments failed at checkout. No card was "
    "charged twice.\n\n## What we are changing\n\nWe now test every update from our payment "
    "provider before it goes live. Questions? Call us: +48 22 123 45 67.",
    "pl": "# Co się stało\n\nPrzez około dwie godziny płatności kartą w kasie się nie udawały. "
    "Żadna karta nie została obciążona dwa razy.\n\n## Co zmieniamy\n\nKażdą aktualizację od "
    "operatora płatności testujemy teraz przed wdrożeniem. Pytania? Zadzwoń: +48 22 123 45 67.",
    "ru": "# Что произошло\n\nОколо двух часов оплата картой при оформлении заказа не проходила. "
    "Ни с одной карты деньги не списали дважды.\n\n## Что мы меняем\n\nТеперь мы проверяем "
    "каждое обновление платёжного сервиса до запуска. Есть вопросы? Звоните: +48 22 123 45 67.",
    "lv": "# Kas notika\n\nApmēram divas stundas maksājumi ar karti pirkuma noformēšanā "
    "neizdevās. Nevienai kartei nauda netika iekasēta divreiz.\n\n## Ko mēs mainām\n\nTagad "
    "katru maksājumu pakalpojuma atjauninājumu pārbaudām pirms ieviešanas. Jautājumi? "
    "Zvaniet: +48 22 123 45 67.",
    "ar": "# ماذا حدث\n\nتعذّر الدفع بالبطاقة عند إتمام الشراء لمدة ساعتين تقريبًا. لم يُخصم "
    "أي مبلغ مرتين من أي بطاقة.\n\n## ما الذي نغيّره\n\nنختبر الآن كل تحديث من مزوّد الدفع "
    "قبل تفعيله. هل لديكم أسئلة؟ اتصلوا بنا على +48 22 123 45 67.",
}
OWN_ITEM = {
    "en": "Refund the card fee for every failed payment",
    "pl": "Zwracamy opłatę za kartę przy każdej nieudanej płatności",
    "ru": "Возвращаем комиссию за карту за каждый неудачный платёж",
    "lv": "Atmaksājam kartes komisiju par katru neizdevušos maksājumu",
    "ar": "نردّ رسوم البطاقة عن كل عملية دفع فاشلة",
}


def _aftercare(incident: Incident) -> None:
    """Publish the resolved incident's postmortem, with a public item of the team's own, in every
    language (through the same services and rules as the admin)."""
    item = checklist.add(incident, text=OWN_ITEM["en"], category="make_it_right", lang="en",
                         user=None, public=True)  # fmt: skip
    texts.set_checklist_texts(item, {k: v for k, v in OWN_ITEM.items() if k != "en"}, user=None)
    report = postmortem.save(incident, POSTMORTEM["en"], user=None)
    texts.set_postmortem_translations(
        report, {k: v for k, v in POSTMORTEM.items() if k != "en"}, user=None
    )
    db.session.flush()
    postmortem.publish(incident, incident_url(incident), user=None, confirm=True)


def _shop() -> Shop:
    """Set up the demo shop's settings."""
    shop = saved_shop()
    shop.name, shop.url, shop.timezone = "Bright Socks", "https://shop.example", "Europe/Warsaw"
    shop.contact_email, shop.contact_phone = "help@shop.example", "+48 22 123 45 67"
    shop.contact_chat_url = "https://shop.example/chat"
    shop.default_language, shop.languages = "en", LANGS
    shop.contact_social = "https://social.example/@brightsocks"
    shop.contact_address = "ul. Przykładowa 1, 00-001 Warszawa"
    shop.sender_emails, shop.sms_sender = "orders@shop.example", "BRIGHTSOCK"
    return shop


def _components() -> dict[str, Component]:
    """Create the components, named in every language."""
    made: dict[str, Component] = {}
    for name, group, names, descriptions in COMPONENTS:
        component = create_component(
            name=name, group=made.get(group or ""), is_group=name == "Shopping", user=None
        )
        component.name_translations, component.description_translations = names, descriptions
        made[name] = component
    return made


def _texts(
    playbook: Playbook, stage: str, shop: Shop, incident: Incident | None, components: list
) -> tuple[str, dict[str, str], object]:
    """Compose a stage in every language with the playbook's examples: (English, others, promise)."""
    now = utcnow()
    final = stage in playbook.final_stages
    promise = None if final else now + timedelta(minutes=playbook.cadence.get(stage, 240))
    facts = Facts(
        title=playbook.title["en"], components=components, started_at=now,
        next_update_at=promise, link=incident_url(incident.public_id if incident else "demo"),
        became_aware_at=now - timedelta(minutes=20),
        title_translations=dict(playbook.title),
    )  # fmt: skip
    composition = compose(
        playbook, stage, shop.language_list, example_values(playbook), facts, shop
    )
    if composition.errors:  # the playbooks are checked; a broken one must not pass unseen
        raise ValueError(f"demo: {playbook.kind} {stage}: {composition.errors}")
    texts = {lang: message.text for lang, message in composition.messages.items()}
    return texts.pop("en"), texts, promise


def _open(playbook: Playbook, shop: Shop, components: list, stage: str, impact: str) -> Incident:
    """Open an incident from a playbook, in every language."""
    body, translations, promise = _texts(playbook, stage, shop, None, components)
    status = "degraded_performance" if impact == "minor" else "partial_outage"
    return open_incident(
        title=playbook.title["en"], impact=impact, status=stage, body=body, user=None,
        component_statuses=dict.fromkeys(components, status), kind=playbook.kind,
        variables=example_values(playbook), translations=translations, next_update_at=promise,
        title_translations={k: v for k, v in playbook.title.items() if k != "en"},
        became_aware_at=utcnow() - timedelta(minutes=20), notice=playbook.notice,
    )  # fmt: skip


def _post(incident: Incident, playbook: Playbook, shop: Shop, stage: str) -> None:
    """Post the incident's next stage from the playbook, in every language."""
    body, translations, promise = _texts(playbook, stage, shop, incident, incident.components)
    if stage in playbook.final_stages:
        resolve(incident, body=body, translations=translations, user=None)
    else:
        post_update(
            incident, status=stage, body=body, translations=translations, user=None,
            next_update_at=promise,
        )  # fmt: skip


def _backdate(incident: Incident, days: int = 0, hours: int = 0) -> None:
    """Spread an incident's timeline into the past, so the demo looks lived in."""
    shift = timedelta(days=days, hours=hours)
    incident.started_at -= shift
    incident.became_aware_at = incident.started_at - timedelta(minutes=20)
    for step, update in enumerate(sorted(incident.updates, key=lambda u: u.id)):
        update.display_at = update.created_at = incident.started_at + step * shift / 3
    if incident.resolved_at:
        incident.resolved_at = max(u.display_at for u in incident.updates)
