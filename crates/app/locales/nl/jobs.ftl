# De pagina met mislukte taken, voor de operator (Nederlands).
nav-jobs = Mislukte taken
jobs-title = Mislukte taken
jobs-intro = Werk op de achtergrond (e-mails, onderhoud) wordt 8 keer geprobeerd over ongeveer twee uur, daarna opgegeven en hier getoond met de laatste fout. Verhelp de oorzaak en probeer de taak opnieuw: ze loopt meteen weer, met de pogingen vanaf nul geteld.
jobs-none = Er is geen taak mislukt.
jobs-caption = Mislukte taken, nieuwste eerst
jobs-col-failed-at = Opgegeven op
jobs-col-kind = Soort
jobs-col-unique-key = Unieke sleutel
jobs-col-attempts = Pogingen
jobs-col-last-error = Laatste fout
jobs-col-action = Actie
jobs-retry = Opnieuw proberen
jobs-retried = Taak { $id } staat weer in de wachtrij.
jobs-unchanged = Taak { $id } was niet mislukt: er is niets gewijzigd.
jobs-next-page = Oudere mislukte taken
