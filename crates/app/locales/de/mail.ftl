# E-Mail: gemeinsame Teile. Jede Nachricht hat <Schlüssel>-subject und <Schlüssel>-body (Absätze durch Leerzeile getrennt).
mail-greeting = Guten Tag { $name },
mail-signature = Ihr Collect & Stamp Service-Center
mail-test-subject = Testnachricht
mail-test-body = Dies ist eine Testnachricht des Collect & Stamp-Portals.
mail-invitation-subject = Ihr Zugang zum Collect & Stamp-Portal
mail-invitation-body = Für Sie wurde ein Konto im Collect & Stamp-Portal angelegt. Ihr Benutzername lautet { $username }.

    Wählen Sie Ihr Passwort über den Link unten. Er kann einmal verwendet werden und bleibt 72 Stunden gültig.
mail-reset-subject = Wählen Sie ein neues Passwort für das Collect & Stamp-Portal
mail-reset-body = Für Ihr Konto { $username } wurde ein neues Passwort angefordert.

    Wählen Sie es über den Link unten. Er kann einmal verwendet werden und bleibt 1 Stunde gültig. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.
