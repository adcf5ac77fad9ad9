# Die Seite der fehlgeschlagenen Aufträge für den Betreiber (Deutsch).
nav-jobs = Fehlgeschlagene Aufträge
jobs-title = Fehlgeschlagene Aufträge
jobs-intro = Arbeit im Hintergrund (E-Mails, Wartung) wird in etwa zwei Stunden 8-mal versucht, dann aufgegeben und hier mit dem letzten Fehler aufgeführt. Beheben Sie die Ursache und versuchen Sie den Auftrag erneut: Er läuft sofort wieder, die Versuche ab null gezählt.
jobs-none = Kein Auftrag ist fehlgeschlagen.
jobs-caption = Fehlgeschlagene Aufträge, die neuesten zuerst
jobs-col-failed-at = Aufgegeben am
jobs-col-kind = Art
jobs-col-unique-key = Eindeutiger Schlüssel
jobs-col-attempts = Versuche
jobs-col-last-error = Letzter Fehler
jobs-col-action = Aktion
jobs-retry = Erneut versuchen
jobs-retried = Auftrag { $id } ist wieder in der Warteschlange.
jobs-unchanged = Auftrag { $id } war nicht fehlgeschlagen: Es wurde nichts geändert.
jobs-next-page = Ältere fehlgeschlagene Aufträge
