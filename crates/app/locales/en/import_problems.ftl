# A feed file's problems on the operator's pages, by code (the API and the command line keep
# the importer's own English words). Values: $value (an excerpt of what the file says),
# $column, $kind (a feed), $max, $length, …
imp-problem-with-remedy = { $problem }; { $remedy }
imp-remedy-update = to replace it, import the file again with "Replace rows stored with other values" ticked
imp-problem-field-required = a value is required
imp-problem-field-too-long = has { $length } characters: at most { $max } are allowed
imp-problem-field-control-character = contains a control character (such as a line break or a tab)
imp-problem-date-format = date “{ $value }” should be written YYYY-MM-DD, e.g. 2026-11-03
imp-problem-date-invalid = date { $value } does not exist
imp-problem-date-year-out-of-range = date { $value }: the year should be 2000 to 2100
imp-problem-quantity-format = quantity “{ $value }” should be a whole number such as 214
imp-problem-quantity-out-of-range = quantity { $value } is out of range: expected 1 to 1,000,000
imp-problem-boolean-format = “{ $value }” should be true or false
imp-problem-format-unknown = format “{ $value }” should be small, large, cumbersome or empty
imp-problem-destination-unknown = destination “{ $value }” should be BE, EU, WORLD or empty
imp-problem-product-kind-unknown = product kind “{ $value }” should be postage, registered, parcel or service
imp-problem-vat-rate-format = VAT rate “{ $value }” should be a whole percentage from 0 to 100, such as 21
imp-problem-language-unknown = language “{ $value }” should be fr, nl, de or en
imp-problem-country-format = country “{ $value }” should be a 2-letter code such as BE
imp-problem-country-unknown = country { $value } is not an assigned ISO 3166 code
imp-problem-row-field-count = the row has { $found } fields but the header has { $expected } columns
imp-problem-feed-kind-mismatch = the header was checked for a { $mapped } file, not a { $asked } file
imp-problem-customer-number-empty = customer number is empty
imp-problem-customer-number-not-digits = customer number may contain only digits 0-9, found “{ $value }”
imp-problem-customer-number-too-long = customer number has { $length } digits: at most { $max } are allowed
imp-problem-vat-empty = VAT number is empty
imp-problem-vat-invalid-character = VAT number may contain only letters and digits (spaces, dots and dashes are ignored), found “{ $value }”
imp-problem-vat-too-long = VAT number has { $length } characters: at most { $max } are allowed
imp-problem-vat-missing-prefix = VAT number { $value } should start with its country prefix, e.g. BE0428759497
imp-problem-vat-unknown-country = VAT number { $value }: { $prefix } is not the prefix of an EU VAT number
imp-problem-vat-belgian-format = VAT number { $value }: a Belgian VAT number is BE followed by 10 digits
imp-problem-vat-belgian-first-digit = VAT number { $value }: a Belgian VAT number starts with 0 or 1 after BE
imp-problem-vat-checksum = VAT number { $value }: check digits should be { $expected }
imp-problem-vat-format = VAT number { $value }: the country prefix should be followed by 2 to 12 letters or digits
imp-problem-barcode-empty = barcode is empty
imp-problem-barcode-national-length = national barcode has { $length } digits: it should have exactly 30
imp-problem-barcode-national-prefix = national barcode { $value } should start with 010
imp-problem-barcode-s10-format = barcode “{ $value }” looks like an international S10 barcode but is not 2 letters, 9 digits and 2 letters (like RR473124829BE)
imp-problem-barcode-check-digit = barcode { $value }: check digit should be { $expected }
imp-problem-barcode-format = barcode “{ $value }” is neither a national barcode (30 digits starting 010) nor an international S10 barcode (like RR473124829BE)
imp-problem-price-empty = price is empty
imp-problem-price-comma-decimal = price uses a comma: write the decimals after a dot, e.g. 0.985
imp-problem-price-sign = price has a sign: it must be a plain non-negative amount such as 0.985
imp-problem-price-exponent = price uses an exponent: write it as a plain decimal such as 0.985
imp-problem-price-invalid-character = price may contain only digits and one dot, found “{ $value }”
imp-problem-price-multiple-dots = price has more than one dot
imp-problem-price-leading-dot = price starts with a dot: write 0.5, not .5
imp-problem-price-trailing-dot = price ends with a dot: write 12 or 12.0, not 12.
imp-problem-price-too-many-decimals = price has { $decimals } decimals: at most 3 are allowed
imp-problem-price-too-large = price is above the maximum of 1,000,000.000 EUR
imp-problem-quantity-negative = quantity { $value } is negative
imp-problem-price-negative = unit price { $value } is negative
imp-problem-amount-overflow = amount of { $quantity } × { $unit_price } EUR is too large to compute
imp-problem-header-missing-column = column { $column } is missing from the header: a { $kind } file needs it
imp-problem-header-unknown-column = column “{ $column }” is not a column of a { $kind } file (extra columns are an error)
imp-problem-header-duplicate-column = column { $column } appears more than once in the header
imp-problem-file-empty = the file is empty: a header line with the columns of a { $kind } file is expected
imp-problem-invalid-utf8 = not valid UTF-8 text
imp-problem-unknown-reference = { $reference ->
    [customer] no customer { $value } (import it with the customers feed first)
    [product] no product { $value } in the catalogue
    [product_kind] product { $value } is of kind { $kind }, not { $wanted }
    [collection_point] no collection point { $value } for customer { $customer }
    [cost_centre] no cost centre { $value } for customer { $customer }
   *[row_kind] a { $value } row is not a row of this feed
    }
imp-problem-duplicate-in-file = { $key_column } { $key } already appears on line { $first_line } with other values
imp-problem-conflicts-with-stored = { $key_column } { $key } is already stored with another { $column }
