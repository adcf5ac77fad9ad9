//! A year of a demo customer's mail, drawn from a deterministic generator: franking
//! transactions every working day and registered items with valid national and S10 barcodes.

use super::data::{DemoCustomer, PRODUCTS, RECIPIENTS};
use crate::{AppError, error::AppResult};
use cs_domain::{
    Barcode, CustomerId, UnitPriceMillis, barcode::s10_check_digit, money::line_amount,
};
use cs_store::{Conn, repo::operations};
use time::{Date, Weekday};

/// Small deterministic generator (SplitMix64): the same demo on every machine and run.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// A value below `n`, as an index.
    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        usize::try_from(self.next() % n64).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Where a customer's mail is deposited, and what it is franked with.
pub(super) struct Site<'a> {
    pub(super) customer_id: CustomerId,
    pub(super) cost_centres: &'a [i64],
    pub(super) points: &'a [i64],
    /// The catalogue's ids, in the order of [`PRODUCTS`].
    pub(super) products: &'a [i64],
}

/// The generator and the serial numbers of barcodes, shared by every customer in turn.
pub(super) struct Mail {
    pub(super) rng: Rng,
    national_serial: u64,
    s10_serial: u64,
    pub(super) transactions: u64,
    pub(super) registered: u64,
}

impl Mail {
    pub(super) fn new(seed: u64) -> Self {
        Mail {
            rng: Rng(seed),
            national_serial: 0,
            s10_serial: 10_000_000,
            transactions: 0,
            registered: 0,
        }
    }

    /// Every working day from `first_day` to `today` (both included): the customer's
    /// franking and its registered items.
    pub(super) async fn year(
        &mut self,
        conn: &mut Conn<'_>,
        dc: &DemoCustomer,
        site: &Site<'_>,
        (first_day, today): (Date, Date),
    ) -> AppResult<()> {
        let mut day = first_day;
        let mut line = 0u64;
        while day <= today {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                self.franking(conn, dc, site, day, &mut line).await?;
                for _ in 0..self.rng.range(0, 4) {
                    self.registered_item(conn, site, day).await?;
                }
            }
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
        Ok(())
    }

    /// One day's franking: a transaction per product used that day.
    async fn franking(
        &mut self,
        conn: &mut Conn<'_>,
        dc: &DemoCustomer,
        site: &Site<'_>,
        day: Date,
        line: &mut u64,
    ) -> AppResult<()> {
        let rng = &mut self.rng;
        for (pi, p) in PRODUCTS.iter().enumerate() {
            if p.kind == "registered" {
                continue;
            }
            let quantity = match p.kind {
                "service" => 1,
                "parcel" => rng.range(0, 3),
                _ => rng.range(dc.daily_volume / 4, dc.daily_volume),
            };
            if quantity == 0 || (p.destination == Some("WORLD") && rng.range(0, 2) != 0) {
                continue;
            }
            *line += 1;
            let cp = *rng.pick(site.points);
            let cc = if p.kind == "service" {
                None
            } else {
                Some(*rng.pick(site.cost_centres))
            };
            let quantity = i64::try_from(quantity).unwrap_or(i64::MAX);
            let price = UnitPriceMillis::parse_decimal(p.price)
                .map_err(|e| AppError::internal(e.to_string()))?;
            let amount =
                line_amount(quantity, price).map_err(|e| AppError::internal(e.to_string()))?;
            let tid = format!("OP-{}-{}-{:06}", dc.number, day_code(day), *line);
            let new = operations::NewTransaction {
                transaction_id: &tid,
                customer_id: site.customer_id.get(),
                date: day,
                collection_point_id: cp,
                cost_centre_id: cc,
                product_id: site.products[pi],
                format: p.format,
                weight_class: p.weight,
                destination: p.destination,
                quantity,
                unit_price_millis: price.0,
                amount_cents: amount.0,
            };
            operations::insert_transaction(conn, &new).await?;
            self.transactions += 1;
        }
        Ok(())
    }

    /// One registered item: national or (one in four) international with an S10 barcode.
    async fn registered_item(
        &mut self,
        conn: &mut Conn<'_>,
        site: &Site<'_>,
        day: Date,
    ) -> AppResult<()> {
        let international = self.rng.range(0, 4) == 0;
        let pi = if international { 6 } else { 5 };
        let barcode = if international {
            self.s10_serial += 1;
            s10(self.s10_serial)
        } else {
            self.national_serial += 1;
            format!("010{:027}", self.national_serial)
        };
        let barcode = Barcode::parse(&barcode).map_err(|e| AppError::internal(e.to_string()))?;
        let rng = &mut self.rng;
        let r = rng.pick(RECIPIENTS);
        let r = if international {
            *r
        } else {
            RECIPIENTS[rng.below(6)]
        };
        let new = operations::NewRegisteredItem {
            barcode: barcode.as_str(),
            customer_id: site.customer_id.get(),
            deposit_date: day,
            collection_point_id: *rng.pick(site.points),
            cost_centre_id: Some(*rng.pick(site.cost_centres)),
            product_id: site.products[pi],
            acknowledgement: rng.range(0, 2) == 0,
            recipient_name: r.0,
            recipient_street: r.1,
            recipient_postcode: r.2,
            recipient_city: r.3,
            recipient_country: if international { r.4 } else { "BE" },
        };
        operations::insert_registered_item(conn, &new).await?;
        self.registered += 1;
        Ok(())
    }
}

pub(super) fn day_code(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A valid UPU S10 barcode `RR########CBE` for a serial number.
fn s10(serial: u64) -> String {
    let digits: [u8; 8] = std::array::from_fn(|i| {
        let place = 10u64.pow(7 - u32::try_from(i).unwrap_or(0));
        u8::try_from((serial / place) % 10).unwrap_or(0)
    });
    let body: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    format!("RR{body}{}BE", s10_check_digit(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_s10_barcodes_are_valid() {
        for serial in [10_000_001, 47_312_482, 99_999_999] {
            let b = s10(serial);
            assert!(Barcode::parse(&b).is_ok(), "{b}");
        }
        assert_eq!(s10(47_312_482), "RR473124829BE");
    }

    #[test]
    fn the_generator_draws_the_same_sequence_every_time() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        let xs: Vec<u64> = (0..5).map(|_| a.range(0, 100)).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.range(0, 100)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| *x <= 100));
        assert!((0..100).all(|_| a.below(6) < 6));
    }
}
