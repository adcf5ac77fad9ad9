# Gemeinsame Formulierungen für Daten und Zeiträume auf allen Seiten.
period-days = vom { $from } bis { $to }
period-quick-label = Schnelle Zeiträume
period-this-month = Dieser Monat
period-last-month = Letzter Monat
period-this-year = Dieses Jahr
period-month-picker = Monat
period-month-choose = Anzeigen
# Werte der Datenlieferungen, in Worten (Tabellen, Filter, Downloads).
destination-be = Belgien
destination-eu = Europa
destination-world = Übrige Welt
format-small = Kleinformat
format-large = Großformat
format-cumbersome = Sperrformat
