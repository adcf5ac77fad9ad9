# E-mail: gemeenschappelijke delen. Elk bericht heeft <sleutel>-subject en <sleutel>-body (alinea's gescheiden door een lege regel).
mail-greeting = Beste { $name },
mail-signature = Het Collect & Stamp Service Centre
mail-test-subject = Testbericht
mail-test-body = Dit is een testbericht van het Collect & Stamp-portaal.
mail-invitation-subject = Uw toegang tot het Collect & Stamp-portaal
mail-invitation-body = Er werd een account voor u aangemaakt op het Collect & Stamp-portaal. Uw gebruikersnaam is { $username }.

    Kies uw wachtwoord via de link hieronder. Hij kan één keer gebruikt worden en blijft 72 uur geldig.
mail-reset-subject = Kies een nieuw wachtwoord voor het Collect & Stamp-portaal
mail-reset-body = Er werd een nieuw wachtwoord aangevraagd voor uw account { $username }.

    Kies het via de link hieronder. Hij kan één keer gebruikt worden en blijft 1 uur geldig. Hebt u dit niet gevraagd, dan kunt u dit bericht negeren: uw wachtwoord blijft ongewijzigd.
