# E-mail: gemeenschappelijke delen. Elk bericht heeft <sleutel>-subject en <sleutel>-body (alinea's gescheiden door een lege regel).
mail-greeting = Beste { $name },
mail-signature = Het Collect & Stamp Service Centre
mail-test-subject = Testbericht
mail-test-body = Dit is een testbericht van het Collect & Stamp-portaal.
