# De problemen van een gegevensbestand op de pagina's van de operator, per code (de API en de
# opdrachtregel houden de Engelse woorden van de importeur).
imp-problem-with-remedy = { $problem }; { $remedy }
imp-remedy-update = om het te vervangen, importeert u het bestand opnieuw met “Regels vervangen die met andere waarden bewaard zijn” aangevinkt
imp-problem-field-required = een waarde is verplicht
imp-problem-field-too-long = heeft { $length } tekens: hoogstens { $max } zijn toegestaan
imp-problem-field-control-character = bevat een stuurteken (zoals een regeleinde of een tab)
imp-problem-date-format = datum “{ $value }” moet geschreven worden als JJJJ-MM-DD, bijvoorbeeld 2026-11-03
imp-problem-date-invalid = datum { $value } bestaat niet
imp-problem-date-year-out-of-range = datum { $value }: het jaar moet tussen 2000 en 2100 liggen
imp-problem-quantity-format = aantal “{ $value }” moet een geheel getal zijn, zoals 214
imp-problem-quantity-out-of-range = aantal { $value } ligt buiten het bereik: 1 tot 1.000.000 verwacht
imp-problem-boolean-format = “{ $value }” moet true of false zijn
imp-problem-format-unknown = formaat “{ $value }” moet small, large, cumbersome of leeg zijn
imp-problem-destination-unknown = bestemming “{ $value }” moet BE, EU, WORLD of leeg zijn
imp-problem-product-kind-unknown = productsoort “{ $value }” moet postage, registered, parcel of service zijn
imp-problem-vat-rate-format = btw-tarief “{ $value }” moet een geheel percentage van 0 tot 100 zijn, zoals 21
imp-problem-language-unknown = taal “{ $value }” moet fr, nl, de of en zijn
imp-problem-country-format = land “{ $value }” moet een code van 2 letters zijn, zoals BE
imp-problem-country-unknown = land { $value } is geen toegekende ISO 3166-code
imp-problem-row-field-count = de rij heeft { $found } velden maar de kopregel { $expected } kolommen
imp-problem-feed-kind-mismatch = de kopregel werd gecontroleerd voor een { $mapped }-bestand, niet voor een { $asked }-bestand
imp-problem-customer-number-empty = klantnummer is leeg
imp-problem-customer-number-not-digits = klantnummer mag alleen cijfers 0-9 bevatten, gevonden “{ $value }”
imp-problem-customer-number-too-long = klantnummer heeft { $length } cijfers: hoogstens { $max } zijn toegestaan
imp-problem-vat-empty = btw-nummer is leeg
imp-problem-vat-invalid-character = btw-nummer mag alleen letters en cijfers bevatten (spaties, punten en streepjes worden genegeerd), gevonden “{ $value }”
imp-problem-vat-too-long = btw-nummer heeft { $length } tekens: hoogstens { $max } zijn toegestaan
imp-problem-vat-missing-prefix = btw-nummer { $value } moet beginnen met het landvoorvoegsel, bijvoorbeeld BE0428759497
imp-problem-vat-unknown-country = btw-nummer { $value }: { $prefix } is geen voorvoegsel van een EU-btw-nummer
imp-problem-vat-belgian-format = btw-nummer { $value }: een Belgisch btw-nummer is BE gevolgd door 10 cijfers
imp-problem-vat-belgian-first-digit = btw-nummer { $value }: een Belgisch btw-nummer begint met 0 of 1 na BE
imp-problem-vat-checksum = btw-nummer { $value }: de controlecijfers zouden { $expected } moeten zijn
imp-problem-vat-format = btw-nummer { $value }: na het landvoorvoegsel moeten 2 tot 12 letters of cijfers volgen
imp-problem-barcode-empty = barcode is leeg
imp-problem-barcode-national-length = nationale barcode heeft { $length } cijfers: het moeten er precies 30 zijn
imp-problem-barcode-national-prefix = nationale barcode { $value } moet met 010 beginnen
imp-problem-barcode-s10-format = barcode “{ $value }” lijkt op een internationale S10-barcode maar bestaat niet uit 2 letters, 9 cijfers en 2 letters (zoals RR473124829BE)
imp-problem-barcode-check-digit = barcode { $value }: het controlecijfer zou { $expected } moeten zijn
imp-problem-barcode-format = barcode “{ $value }” is noch een nationale barcode (30 cijfers, beginnend met 010) noch een internationale S10-barcode (zoals RR473124829BE)
imp-problem-price-empty = prijs is leeg
imp-problem-price-comma-decimal = prijs gebruikt een komma: schrijf de decimalen na een punt, bijvoorbeeld 0.985
imp-problem-price-sign = prijs heeft een teken: het moet een gewoon positief bedrag zijn, zoals 0.985
imp-problem-price-exponent = prijs gebruikt een exponent: schrijf hem als een gewoon decimaal getal, zoals 0.985
imp-problem-price-invalid-character = prijs mag alleen cijfers en één punt bevatten, gevonden “{ $value }”
imp-problem-price-multiple-dots = prijs heeft meer dan één punt
imp-problem-price-leading-dot = prijs begint met een punt: schrijf 0.5, niet .5
imp-problem-price-trailing-dot = prijs eindigt op een punt: schrijf 12 of 12.0, niet 12.
imp-problem-price-too-many-decimals = prijs heeft { $decimals } decimalen: hoogstens 3 zijn toegestaan
imp-problem-price-too-large = prijs ligt boven het maximum van 1.000.000,000 EUR
imp-problem-quantity-negative = aantal { $value } is negatief
imp-problem-price-negative = eenheidsprijs { $value } is negatief
imp-problem-amount-overflow = bedrag van { $quantity } × { $unit_price } EUR is te groot om te berekenen
imp-problem-header-missing-column = kolom { $column } ontbreekt in de kopregel: een { $kind }-bestand heeft hem nodig
imp-problem-header-unknown-column = kolom “{ $column }” is geen kolom van een { $kind }-bestand (extra kolommen zijn een fout)
imp-problem-header-duplicate-column = kolom { $column } staat meer dan eens in de kopregel
imp-problem-file-empty = het bestand is leeg: een kopregel met de kolommen van een { $kind }-bestand wordt verwacht
imp-problem-invalid-utf8 = geen geldige UTF-8-tekst
imp-problem-unknown-reference = { $reference ->
    [customer] geen klant { $value } (importeer hem eerst met het bestand customers)
    [product] geen product { $value } in de catalogus
    [product_kind] product { $value } is van soort { $kind }, niet { $wanted }
    [collection_point] geen ophaalpunt { $value } voor klant { $customer }
    [cost_centre] geen kostenplaats { $value } voor klant { $customer }
   *[row_kind] een { $value }-rij is geen rij van dit bestand
    }
imp-problem-duplicate-in-file = { $key_column } { $key } staat al op regel { $first_line } met andere waarden
imp-problem-conflicts-with-stored = { $key_column } { $key } is al opgeslagen met een andere { $column }
