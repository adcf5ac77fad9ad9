# Die Probleme einer Datendatei auf den Seiten des Betreibers, nach Code (die API und die
# Befehlszeile behalten die englischen Worte des Importeurs).
imp-problem-with-remedy = { $problem }; { $remedy }
imp-remedy-update = um ihn zu ersetzen, importieren Sie die Datei erneut mit angekreuztem „Mit anderen Werten gespeicherte Zeilen ersetzen“
imp-problem-field-required = ein Wert ist erforderlich
imp-problem-field-too-long = hat { $length } Zeichen: höchstens { $max } sind erlaubt
imp-problem-field-control-character = enthält ein Steuerzeichen (etwa einen Zeilenumbruch oder einen Tabulator)
imp-problem-date-format = Datum „{ $value }“ muss als JJJJ-MM-TT geschrieben werden, z. B. 2026-11-03
imp-problem-date-invalid = Datum { $value } gibt es nicht
imp-problem-date-year-out-of-range = Datum { $value }: das Jahr muss zwischen 2000 und 2100 liegen
imp-problem-quantity-format = Menge „{ $value }“ muss eine ganze Zahl sein, etwa 214
imp-problem-quantity-out-of-range = Menge { $value } liegt außerhalb des Bereichs: 1 bis 1.000.000 erwartet
imp-problem-boolean-format = „{ $value }“ muss true oder false sein
imp-problem-format-unknown = Format „{ $value }“ muss small, large, cumbersome oder leer sein
imp-problem-destination-unknown = Ziel „{ $value }“ muss BE, EU, WORLD oder leer sein
imp-problem-product-kind-unknown = Produktart „{ $value }“ muss postage, registered, parcel oder service sein
imp-problem-vat-rate-format = MwSt.-Satz „{ $value }“ muss ein ganzer Prozentsatz von 0 bis 100 sein, etwa 21
imp-problem-language-unknown = Sprache „{ $value }“ muss fr, nl, de oder en sein
imp-problem-country-format = Land „{ $value }“ muss ein Code aus 2 Buchstaben sein, etwa BE
imp-problem-country-unknown = Land { $value } ist kein vergebener ISO-3166-Code
imp-problem-row-field-count = die Zeile hat { $found } Felder, die Kopfzeile aber { $expected } Spalten
imp-problem-feed-kind-mismatch = die Kopfzeile wurde für eine { $mapped }-Datei geprüft, nicht für eine { $asked }-Datei
imp-problem-customer-number-empty = Kundennummer ist leer
imp-problem-customer-number-not-digits = Kundennummer darf nur Ziffern 0-9 enthalten, gefunden „{ $value }“
imp-problem-customer-number-too-long = Kundennummer hat { $length } Ziffern: höchstens { $max } sind erlaubt
imp-problem-vat-empty = MwSt.-Nummer ist leer
imp-problem-vat-invalid-character = MwSt.-Nummer darf nur Buchstaben und Ziffern enthalten (Leerzeichen, Punkte und Bindestriche werden ignoriert), gefunden „{ $value }“
imp-problem-vat-too-long = MwSt.-Nummer hat { $length } Zeichen: höchstens { $max } sind erlaubt
imp-problem-vat-missing-prefix = MwSt.-Nummer { $value } muss mit dem Länderpräfix beginnen, z. B. BE0428759497
imp-problem-vat-unknown-country = MwSt.-Nummer { $value }: { $prefix } ist kein Präfix einer EU-MwSt.-Nummer
imp-problem-vat-belgian-format = MwSt.-Nummer { $value }: eine belgische MwSt.-Nummer ist BE gefolgt von 10 Ziffern
imp-problem-vat-belgian-first-digit = MwSt.-Nummer { $value }: eine belgische MwSt.-Nummer beginnt nach BE mit 0 oder 1
imp-problem-vat-checksum = MwSt.-Nummer { $value }: die Prüfziffern müssten { $expected } sein
imp-problem-vat-format = MwSt.-Nummer { $value }: auf das Länderpräfix müssen 2 bis 12 Buchstaben oder Ziffern folgen
imp-problem-barcode-empty = Barcode ist leer
imp-problem-barcode-national-length = nationaler Barcode hat { $length } Ziffern: es müssen genau 30 sein
imp-problem-barcode-national-prefix = nationaler Barcode { $value } muss mit 010 beginnen
imp-problem-barcode-s10-format = Barcode „{ $value }“ sieht wie ein internationaler S10-Barcode aus, besteht aber nicht aus 2 Buchstaben, 9 Ziffern und 2 Buchstaben (wie RR473124829BE)
imp-problem-barcode-check-digit = Barcode { $value }: die Prüfziffer müsste { $expected } sein
imp-problem-barcode-format = Barcode „{ $value }“ ist weder ein nationaler Barcode (30 Ziffern, beginnend mit 010) noch ein internationaler S10-Barcode (wie RR473124829BE)
imp-problem-price-empty = Preis ist leer
imp-problem-price-comma-decimal = Preis verwendet ein Komma: schreiben Sie die Dezimalstellen nach einem Punkt, z. B. 0.985
imp-problem-price-sign = Preis hat ein Vorzeichen: er muss ein einfacher positiver Betrag sein, etwa 0.985
imp-problem-price-exponent = Preis verwendet einen Exponenten: schreiben Sie ihn als einfache Dezimalzahl, etwa 0.985
imp-problem-price-invalid-character = Preis darf nur Ziffern und einen Punkt enthalten, gefunden „{ $value }“
imp-problem-price-multiple-dots = Preis hat mehr als einen Punkt
imp-problem-price-leading-dot = Preis beginnt mit einem Punkt: schreiben Sie 0.5, nicht .5
imp-problem-price-trailing-dot = Preis endet mit einem Punkt: schreiben Sie 12 oder 12.0, nicht 12.
imp-problem-price-too-many-decimals = Preis hat { $decimals } Dezimalstellen: höchstens 3 sind erlaubt
imp-problem-price-too-large = Preis liegt über dem Höchstwert von 1.000.000,000 EUR
imp-problem-quantity-negative = Menge { $value } ist negativ
imp-problem-price-negative = Stückpreis { $value } ist negativ
imp-problem-amount-overflow = Betrag von { $quantity } × { $unit_price } EUR ist zu groß zum Berechnen
imp-problem-header-missing-column = Spalte { $column } fehlt in der Kopfzeile: eine { $kind }-Datei braucht sie
imp-problem-header-unknown-column = Spalte „{ $column }“ ist keine Spalte einer { $kind }-Datei (zusätzliche Spalten sind ein Fehler)
imp-problem-header-duplicate-column = Spalte { $column } steht mehr als einmal in der Kopfzeile
imp-problem-file-empty = die Datei ist leer: eine Kopfzeile mit den Spalten einer { $kind }-Datei wird erwartet
imp-problem-invalid-utf8 = kein gültiger UTF-8-Text
imp-problem-unknown-reference = { $reference ->
    [customer] kein Kunde { $value } (importieren Sie ihn zuerst mit der Datei customers)
    [product] kein Produkt { $value } im Katalog
    [product_kind] Produkt { $value } ist von der Art { $kind }, nicht { $wanted }
    [collection_point] keine Abholstelle { $value } für Kunde { $customer }
    [cost_centre] keine Kostenstelle { $value } für Kunde { $customer }
   *[row_kind] eine { $value }-Zeile ist keine Zeile dieser Datei
    }
imp-problem-duplicate-in-file = { $key_column } { $key } steht bereits in Zeile { $first_line } mit anderen Werten
imp-problem-conflicts-with-stored = { $key_column } { $key } ist bereits mit einem anderen Wert für { $column } gespeichert
