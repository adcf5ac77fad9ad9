error-too-many-exports = Too many downloads are being prepared right now. Please try again in a minute.
