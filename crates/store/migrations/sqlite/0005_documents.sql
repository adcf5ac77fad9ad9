-- Stored documents (issue 9): one row per object the DocumentStore keeps (receipts, invoices,
-- annexes, reports), with the SHA-256 and size it must read back with. A document of a
-- customer names it, so that a read can be checked against the reader's tenant; one the
-- Service Centre keeps for itself has none. Keys are unique: a document is written once.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    object_key  TEXT NOT NULL UNIQUE,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
    customer_id INTEGER REFERENCES customers (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX documents_customer_kind ON documents (customer_id, kind, created_at);
