"""A 1C catalogue exported as CommerceML 2 imports like a products file."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from warehouse.catalog import catalogue_csv, catalogue_files
from warehouse.errors import DomainError
from warehouse.models import Product

IMPORT = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.10">
 <Каталог СодержитТолькоИзменения="false"><Ид>cat</Ид><Наименование>Каталог</Наименование>
  <Товары>
   <Товар><Ид>a1</Ид><Штрихкод>4601234567893</Штрихкод><Артикул>MUG-1</Артикул>
    <Наименование>Кружка</Наименование>
    <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Вес</Наименование>
     <Значение>0,35</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>
   <Товар><Ид>b2</Ид><Артикул>TEE-1</Артикул><Наименование>Футболка</Наименование></Товар>
   <Товар><Ид>c3</Ид><Артикул></Артикул><Наименование>Без артикула</Наименование></Товар>
  </Товары></Каталог>
</КоммерческаяИнформация>"""

OFFERS = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.10">
 <ПакетПредложений><ТипыЦен>
   <ТипЦены><Ид>retail</Ид><Наименование>Розничная</Наименование></ТипЦены>
   <ТипЦены><Ид>buy</Ид><Наименование>Закупочная</Наименование></ТипЦены></ТипыЦен>
  <Предложения>
   <Предложение><Ид>a1</Ид><Цены>
     <Цена><ИдТипаЦены>retail</ИдТипаЦены><ЦенаЗаЕдиницу>499</ЦенаЗаЕдиницу></Цена>
     <Цена><ИдТипаЦены>buy</ИдТипаЦены><ЦенаЗаЕдиницу>199.90</ЦенаЗаЕдиницу></Цена></Цены>
   </Предложение>
   <Предложение><Ид>b2#size-m</Ид><Штрихкод>4601234567909</Штрихкод></Предложение>
  </Предложения></ПакетПредложений>
</КоммерческаяИнформация>"""


def exchange(import_xml: str = IMPORT) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("webdata/import0_1.xml", import_xml.encode())
        archive.writestr("webdata/offers0_1.xml", OFFERS.encode())
    return out.getvalue()


def test_import_and_offers_become_products_the_article_less_one_refused(session):
    table = catalogue_files.read("1c.zip", exchange())
    plan = catalogue_csv.plan(session, "products", table.header, table.rows)
    assert [row.action for row in plan.rows] == ["create", "create", "refused"]
    assert plan.rows[2].reasons == [("catalogue_empty_cell", {"column": "article"})]
    fixed = IMPORT.replace("<Артикул></Артикул>", "<Артикул>NEW-3</Артикул>")
    table = catalogue_files.read("1c.zip", exchange(fixed))
    catalogue_csv.apply(session, "products", table.header, table.rows)
    mug = session.scalar(select(Product).where(Product.article == "MUG-1"))
    assert (mug.cost_price, mug.weight_g, mug.name) == (19990, 350, "Кружка")
    tee = session.scalar(select(Product).where(Product.article == "TEE-1"))
    assert [b.barcode for b in tee.barcodes] == ["4601234567909"]  # from its offer
    again = catalogue_csv.apply(session, "products", table.header, table.rows)
    assert {row.action for row in again.rows} == {"unchanged"}


def test_import_xml_alone_and_broken_files_are_refused_in_words(session):
    table = catalogue_files.read("import.xml", IMPORT.encode())
    assert table.header == ["article", "name", "barcodes", "weight_g"] and len(table.rows) == 3
    for name, data, code in (
        ("import.xml", b"<html>", "commerceml_bad_xml"),
        ("x.zip", b"not a zip", "commerceml_no_import"),
        ("import.xml", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "commerceml_bad_xml"),
    ):
        with pytest.raises(DomainError) as refused:
            catalogue_files.read(name, data)
        assert refused.value.code == code
