"""Importing a CSV through the pages in a real browser: upload, correct a
column the automatic mapping did not recognise, import, watch the progress to
the end, see the contacts."""

from __future__ import annotations

import pytest

from relance.contacts.models import Contact
from tests.browser import browser, page, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Nom;Prénom;Maison de presse;Courriel;Téléphone;Rubriques\n"
    "Dubois;Claire;Le Progrès;claire@exemple.fr;04 78 12 34 56;Énergie\n"
    "Lefèvre;Hélène;Le Progrès;helene@exemple.fr;06 12 34 56 78;Culture\n"
    "Tremblay;Luc;La Voix de l'Estrie;luc@exemple.ca;;Politique\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_a_csv_with_a_mapping_correction(signed_in, tmp_path):  # noqa: F811
    source = tmp_path / "presse.csv"
    source.write_text(CSV, encoding="utf-8")
    pg = signed_in("officer")
    pg.click("nav >> text=Import")
    pg.set_input_files("input[type=file]", str(source))
    pg.click("main button[type=submit]")
    pg.wait_for_url("**/contacts/import/*/")

    # "Maison de presse" was not recognised: the outlet column is ignored.
    select = pg.locator("select[data-column='Maison de presse']")
    assert select.input_value() == "ignore"
    assert "0 outlets to create" in pg.inner_text("#check")
    select.select_option("outlet_name")
    # The check below follows the choice (htmx swaps the partial in).
    pg.wait_for_function(
        "document.querySelector('#check').innerText.includes('2 outlets to create')"
    )
    assert "3 new contacts" in pg.inner_text("#check")

    pg.click("#import-button")
    pg.wait_for_url("**/progress/")
    pg.wait_for_selector("#import-done")
    assert pg.locator("progress").get_attribute("value") == pg.locator("progress").get_attribute(
        "max"
    )
    assert "Contacts created: 3" in pg.inner_text("#import-done")

    pg.click("text=See the contacts")
    pg.wait_for_url("**/contacts/**")
    listing = pg.inner_text("main")
    for name in ("Dubois", "Lefèvre", "Tremblay"):
        assert name in listing
    assert {c.outlet.name for c in Contact.objects.select_related("outlet")} == {
        "Le Progrès",
        "La Voix de l'Estrie",
    }
