//! What encrypting personal information at rest costs per value (B2.5, B3.3): sealing and opening
//! an 18-character ID number with SM4-GCM, and its HMAC-SM3 blind index. A request carries two
//! sealed values (ID number, contact) and one index; the console's inbox opens two per request.
//!
//! `cargo bench --workspace --locked --bench crypto`

use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_store::{DataKey, Field, FieldCipher};
use std::hint::black_box;

fn crypto(c: &mut Criterion) {
    let Ok(key) = DataKey::from_hex(&"0f".repeat(32)) else { return };
    let cipher = FieldCipher::new(&key);
    let id = "11010119900307761X";
    let row = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    c.bench_function("seal an ID number (SM4-GCM)", |b| {
        b.iter(|| cipher.seal(Field::IdDocument, black_box(row), black_box(id)))
    });
    let Ok(sealed) = cipher.seal(Field::IdDocument, row, id) else { return };
    c.bench_function("open an ID number (SM4-GCM)", |b| {
        b.iter(|| cipher.open(Field::IdDocument, black_box(row), black_box(&sealed)))
    });
    c.bench_function("blind index of an ID number (HMAC-SM3)", |b| b.iter(|| cipher.blind_index(black_box(id))));
    c.bench_function("derive the working keys of a data key", |b| b.iter(|| FieldCipher::new(black_box(&key))));
}

criterion_group!(benches, crypto);
criterion_main!(benches);
