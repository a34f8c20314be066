"""The base of forms whose writes go through a service."""

from django import forms


class ServiceModelForm(forms.ModelForm):
    """A model form that parses and checks its own fields only.

    The service it feeds validates the model, with what the form does not hold (the pilot, the
    initiative, the acting user), and writes it; so the form neither runs model validation
    nor changes its instance (``ModelForm._post_clean`` would do both).
    """

    def _post_clean(self):
        pass
