# E-Mail: gemeinsame Teile. Jede Nachricht hat <Schlüssel>-subject und <Schlüssel>-body (Absätze durch Leerzeile getrennt).
mail-greeting = Guten Tag { $name },
mail-signature = Ihr Collect & Stamp Service-Center
mail-test-subject = Testnachricht
mail-test-body = Dies ist eine Testnachricht des Collect & Stamp-Portals.
