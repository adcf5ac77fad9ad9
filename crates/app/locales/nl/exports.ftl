error-too-many-exports = Er worden op dit moment te veel downloads voorbereid. Probeer het over een minuut opnieuw.
