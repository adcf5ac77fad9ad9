error-too-many-exports = Trop de téléchargements sont en cours de préparation. Veuillez réessayer dans une minute.
