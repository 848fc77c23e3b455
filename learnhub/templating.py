"""Every Jinja filter and global the templates use, registered in one place.

Templates of one feature often show another's values (a certificate's long date on the
register, UK session times on course and ALS pages), so filters belong to the app, not to the
blueprint that happened to need them first.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from jinja2 import Template

from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.timeutil import to_uk, uk_time


def long_date(day: date) -> str:
    """A date the NHS.UK way: '2 December 2026'."""
    from learnhub.certificates.pdf import long_date as _long_date

    return _long_date(day)


def hours(value: object) -> str:
    """CPD hours written one way everywhere ('6', '1.5')."""
    from learnhub.certificates.pdf import format_hours

    return format_hours(value)  # type: ignore[arg-type]


def als_when(moment: datetime) -> str:
    """A session time on the UK clock, e.g. 'Monday 9 March 2026, 10:00'."""
    return to_uk(moment).strftime("%A %-d %B %Y, %H:%M")


def role_labels(codes: list[str]) -> str:
    """Professional-role codes as a readable list."""
    return ", ".join(PROFESSIONAL_ROLES.get(code, code) for code in codes or [])


def status_tag(status: object) -> str:
    """NHS.UK tag colour for a course module status."""
    from learnhub.courses import rules

    return {
        rules.Status.COMPLETED: "green",
        rules.Status.PASSED: "green",
        rules.Status.ATTENDED: "green",
        rules.Status.FAILED: "red",
        rules.Status.ABSENT: "orange",
        rules.Status.IN_PROGRESS: "blue",
    }.get(status, "grey")  # type: ignore[call-overload]


def format_p(p: float | None) -> str:
    """A p-value as the evaluation pages write it."""
    from learnhub.evaluation.stats import format_p as _format_p

    return _format_p(p)


def evaluation_percentage(part: int, whole: int) -> object:
    """A percentage for the evaluation pages (None when it cannot be shown)."""
    from learnhub.evaluation.analysis import percentage

    return percentage(part, whole)


def led_pcns() -> list:
    """The PCNs the signed-in user leads (read access to their part of the supervisor register); once per request."""
    from flask import g
    from flask_login import current_user

    from learnhub.eligibility.services import led_pcns as _led_pcns

    if not current_user.is_authenticated:
        return []
    if "learnhub_led_pcns" not in g:
        g.learnhub_led_pcns = _led_pcns(current_user)
    return g.learnhub_led_pcns


def renewals_due():  # type: ignore[no-untyped-def]
    """Renewal prompts for the signed-in person (Home, My learning, My certificates), once per request."""
    from flask import g
    from flask_login import current_user

    from learnhub.eligibility.renewal import Renewals
    from learnhub.eligibility.renewal import renewals_due as _renewals_due

    if not current_user.is_authenticated:
        return Renewals([], [])
    if "learnhub_renewals" not in g:
        g.learnhub_renewals = _renewals_due(current_user)
    return g.learnhub_renewals


def renewal_form():  # type: ignore[no-untyped-def]
    """A button form for the renewal prompts' "re-take in this cohort" buttons."""
    from learnhub.courses.forms import ButtonForm

    return ButtonForm()


class LearnHubTemplate(Template):
    """Jinja's template, with imports that do not rebuild a set per ``{% from ... import %}``.

    Every NHS.UK component template imports its helper macros, so a page runs hundreds of
    imports; for each, Jinja computes ``context globals - template globals`` over a ChainMap
    (about 16% of a form page's time). This keeps the template's global names as a frozenset,
    rebuilt whenever either globals mapping changes size, and then does exactly what Jinja does.
    """

    def _get_default_module(self, ctx=None):  # type: ignore[no-untyped-def]
        if ctx is not None and ctx.globals_keys:
            sizes = tuple(len(m) for m in self.globals.maps)  # type: ignore[attr-defined]
            cached = self.__dict__.get("_learnhub_global_names")
            if cached is None or cached[0] != sizes:
                cached = self._learnhub_global_names = (sizes, frozenset(self.globals))
            if ctx.globals_keys - cached[1]:
                return super()._get_default_module(ctx)
        return super()._get_default_module(None)


def register(app: Flask) -> None:
    """Register the filters and globals on the app."""
    app.jinja_env.template_class = LearnHubTemplate
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(hours, "hours")
    app.add_template_filter(uk_time, "uk_time")
    app.add_template_filter(als_when, "als_when")
    app.add_template_filter(role_labels, "role_labels")
    app.add_template_filter(status_tag, "status_tag")
    app.add_template_global(format_p, "format_p")
    app.add_template_global(evaluation_percentage, "evaluation_percentage")
    app.add_template_global(led_pcns, "pcns_led_by_user")
    app.add_template_global(renewals_due, "renewals_due")
    app.add_template_global(renewal_form, "renewal_form")
    app.add_template_global(component, "nhsuk_component")
    app.add_template_global(back_link, "nhsuk_back_link")


#: NHS.UK component macros that :func:`component` may keep: each is imported without context and
#: reads nothing but its params (and no caller is passed), so its markup is a function of them.
CACHED_COMPONENTS = {
    "header": "nhsuk/components/header/macro.jinja",
    "footer": "nhsuk/components/footer/macro.jinja",
    "input": "nhsuk/components/input/macro.jinja",
    "passwordInput": "nhsuk/components/password-input/macro.jinja",
    "select": "nhsuk/components/select/macro.jinja",
    "radios": "nhsuk/components/radios/macro.jinja",
    "checkboxes": "nhsuk/components/checkboxes/macro.jinja",
    "textarea": "nhsuk/components/textarea/macro.jinja",
    "dateInput": "nhsuk/components/date-input/macro.jinja",
    "button": "nhsuk/components/button/macro.jinja",
    "backLink": "nhsuk/components/back-link/macro.jinja",
    "card": "nhsuk/components/card/macro.jinja",
}
#: Entries kept per app (the cache lives on the app's Jinja environment); cleared past the limit.
COMPONENT_CACHE_LIMIT = 2048


def _freeze(value: object) -> object:
    """A hashable copy of a component's params (dicts and lists become tuples, tagged by type)."""
    if isinstance(value, dict):
        # In insertion order: an attributes dict renders its attributes in that order.
        return ("dict", tuple((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_freeze(v) for v in value))
    if value is None or isinstance(value, (str, bool, int, float)):
        # The type is part of the key: Markup("<b>") and "<b>" render differently, and 1 == True.
        return (type(value).__name__, value)
    raise TypeError(f"unhashable component input {type(value).__name__}")


def component(name: str, params: dict) -> object:
    """An NHS.UK component rendered once per distinct params: the layout's header and footer, form fields, cards.

    The key is the params themselves, in order and with their types (every navigation link, the
    account links and the signed-in person's name for the header; a field's name, value, label,
    choices and error for a form field), so a learner's page cannot get a hub admin's navigation,
    a signed-out page a signed-in header, or one person's field another's value. Params that
    cannot be a key (an object other than a dict, list, string, number, boolean or None) are
    rendered each time.
    """
    from flask import current_app

    env = current_app.jinja_env
    cache = env.__dict__.setdefault("learnhub_components", {})
    macro = cache.get(name)
    if macro is None:
        macro = cache[name] = getattr(env.get_template(CACHED_COMPONENTS[name]).module, name)
    try:
        key = (name, _freeze(params))
    except TypeError:
        return macro(params)
    rendered = cache.get(key)
    if rendered is None:
        rendered = macro(params)
        if len(cache) >= COMPONENT_CACHE_LIMIT:
            cache.clear()
        cache[key] = rendered
    return rendered


def back_link(params: dict) -> object:
    """The NHS.UK back link (``backLink`` in the layout), rendered once per distinct params."""
    return component("backLink", params)
