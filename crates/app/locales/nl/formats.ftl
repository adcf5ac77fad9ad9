# Gedeelde formuleringen van datums en perioden, op elke pagina.
period-days = van { $from } tot { $to }
period-quick-label = Snelle perioden
period-this-month = Deze maand
period-last-month = Vorige maand
period-this-year = Dit jaar
period-month-picker = Maand
period-month-choose = Tonen
# Waarden van de stromen, in woorden (tabellen, filters, downloads).
destination-be = België
destination-eu = Europa
destination-world = Rest van de wereld
format-small = Klein formaat
format-large = Groot formaat
format-cumbersome = Omvangrijk formaat
