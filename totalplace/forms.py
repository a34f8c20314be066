"""The base of forms whose writes go through a service."""

from django import forms

from .errors import error_text


class ServiceModelForm(forms.ModelForm):
    """A model form that parses and checks its own fields only.

    The service it feeds validates the model, with what the form does not hold (the pilot, the
    initiative, the acting user), and writes it; so the form neither runs model validation
    nor changes its instance (``ModelForm._post_clean`` would do both).
    """

    def _post_clean(self):
        pass


def apply_errors(form: forms.BaseForm, exc: Exception) -> None:
    """Show a service's refusal on the form: a validation error by field where the form has
    that field, anything else (another field, a permission) above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))
