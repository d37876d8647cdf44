//! Disclosure requests (政府信息公开申请) and their events.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use gongkai_core::identity::IdDocumentType;
use gongkai_core::register::{Applicant, Event, EventKind, Request};
use sqlx::any::Any;
use sqlx::AnyConnection;

use crate::auth::{insert_audit_on, ts, AuditNote};
use crate::cache::{request_span, Stale};
use crate::codec::{date_text, enum_name, new_id, now_text, parse_date, parse_enum, parse_opt_date};
use crate::crypto::{Field, FieldCipher};
use crate::documents::{insert_document_on, next_document_number, DocumentWrite};
use crate::error::on_insert;
use crate::lock::{event_years, finish_dates, finishes, guard, lock_agency, locked_years, request_years, Amend, Touch};
use crate::reports::Amendment;
use crate::{Store, StoreError};

/// A request's id in the store: application-generated text (a UUID v7), stable for its life.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(String);

impl RequestId {
    /// The id as text (for URLs and foreign references).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> RequestId {
        RequestId(s)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which requests of an agency [`Store::list_requests`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFilter {
    /// All of them.
    All,
    /// Received (Art. 31 receipt date) between `from` and `to`, both inclusive.
    ReceivedBetween {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// Still open at the end of the day: received on or before it, and no reply or withdrawal
    /// dated on or before it. `OpenAt(Y-12-31)` are the requests carried forward from year Y.
    OpenAt(NaiveDate),
}

/// The columns of a request, read as [`RequestRow`], from `requests r`.
macro_rules! request_select {
    ($tail:literal) => {
        concat!(
            "SELECT r.id, r.agency, r.tracking_number, r.channel, r.received_on, r.applicant_type, \
             r.applicant_name, r.applicant_id_document, r.applicant_contact, r.content, \
             r.requested_form, r.delivery, r.applicant_id_document_type FROM requests r ",
            $tail
        )
    };
}
pub(crate) use request_select;

/// The columns of an event, read as [`EventRow`], from `request_events e`.
macro_rules! event_select {
    ($tail:literal) => {
        concat!(
            "SELECT e.request, e.\"on\" AS on_date, e.\"by\" AS by_whom, e.payload \
             FROM request_events e ",
            $tail
        )
    };
}
pub(crate) use event_select;

#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    id: String,
    agency: String,
    tracking_number: String,
    channel: String,
    received_on: String,
    applicant_type: String,
    applicant_name: String,
    applicant_id_document: Option<String>,
    applicant_contact: Option<String>,
    content: String,
    requested_form: Option<String>,
    delivery: Option<String>,
    applicant_id_document_type: Option<String>,
}

impl RequestRow {
    /// The request, its identity document number and contact decrypted (B2.5).
    pub(crate) fn into_request(self, cipher: &FieldCipher) -> Result<(RequestId, Request), StoreError> {
        let id_document = cipher.open_opt(Field::IdDocument, &self.id, self.applicant_id_document.as_deref())?;
        let contact = cipher.open_opt(Field::Contact, &self.id, self.applicant_contact.as_deref())?;
        let request = Request {
            channel: parse_enum("requests", "channel", &self.channel)?,
            received_on: parse_date("requests", "received_on", &self.received_on)?,
            applicant: Applicant {
                id_document_type: match self.applicant_id_document_type.as_deref() {
                    None => None,
                    Some(t) => Some(IdDocumentType::from_name(t).ok_or_else(|| StoreError::Corrupt {
                        table: "requests",
                        column: "applicant_id_document_type",
                        detail: format!("unknown type {t}"),
                    })?),
                },
                kind: parse_enum("requests", "applicant_type", &self.applicant_type)?,
                name: self.applicant_name,
                id_document,
                contact,
            },
            agency: self.agency,
            tracking_number: self.tracking_number,
            content: self.content,
            requested_form: self.requested_form,
            delivery: self.delivery,
        };
        Ok((RequestId(self.id), request))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub(crate) request: String,
    on_date: String,
    by_whom: String,
    payload: String,
}

impl EventRow {
    pub(crate) fn into_event(self) -> Result<Event, StoreError> {
        let kind: EventKind = serde_json::from_str(&self.payload).map_err(|e| StoreError::Corrupt {
            table: "request_events",
            column: "payload",
            detail: e.to_string(),
        })?;
        Ok(Event { on: parse_date("request_events", "on", &self.on_date)?, by: self.by_whom, kind })
    }
}

/// Groups events (ordered by request, then seq) by request id.
pub(crate) fn events_by_request(rows: Vec<EventRow>) -> Result<HashMap<String, Vec<Event>>, StoreError> {
    let mut out: HashMap<String, Vec<Event>> = HashMap::new();
    for row in rows {
        let request = row.request.clone();
        out.entry(request).or_default().push(row.into_event()?);
    }
    Ok(out)
}

/// The `type` column and JSON payload of an event kind.
fn event_payload(kind: &EventKind) -> Result<(String, String), StoreError> {
    let value = serde_json::to_value(kind).map_err(|e| StoreError::Invalid { what: "event", detail: e.to_string() })?;
    let ty = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| StoreError::Invalid { what: "event", detail: "payload has no type tag".to_string() })?
        .to_string();
    Ok((ty, value.to_string()))
}

/// Inserts one request row; unique violation → Conflict, unknown agency → NotFound. The identity
/// document number and the contact are stored encrypted, with the number's blind index (B2.5,
/// B3.3). `events` are the events it is registered with (inserted by [`insert_events_on`]): its
/// `finished_on` (the earliest reply or withdrawal) is stored with it.
pub(crate) async fn insert_request_on(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    r: &Request,
    events: &[Event],
) -> Result<String, StoreError> {
    let id = new_id();
    let id_document = cipher.seal_opt(Field::IdDocument, &id, r.applicant.id_document.as_deref())?;
    let id_index = r.applicant.id_document.as_deref().map(|d| cipher.blind_index(d));
    let contact = cipher.seal_opt(Field::Contact, &id, r.applicant.contact.as_deref())?;
    let finished_on = finish_dates(events).min();
    sqlx::query(
        "INSERT INTO requests (id, agency, tracking_number, channel, received_on, applicant_type, \
         applicant_name, applicant_id_document, applicant_contact, content, requested_form, delivery, \
         created_at, applicant_id_index, finished_on, applicant_id_document_type) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&id)
    .bind(&r.agency)
    .bind(&r.tracking_number)
    .bind(enum_name(&r.channel)?)
    .bind(date_text(r.received_on))
    .bind(enum_name(&r.applicant.kind)?)
    .bind(&r.applicant.name)
    .bind(id_document)
    .bind(contact)
    .bind(&r.content)
    .bind(r.requested_form.as_deref())
    .bind(r.delivery.as_deref())
    .bind(now_text())
    .bind(id_index)
    .bind(finished_on.map(date_text))
    .bind(r.applicant.id_document_type.map(IdDocumentType::name))
    .execute(&mut *conn)
    .await
    .map_err(|e| on_insert(e, "request", &r.agency, &r.tracking_number))?;
    Ok(id)
}

/// Inserts the 接收回执 of a request just inserted (C1.1), numbered under the agency's lock.
pub(crate) async fn insert_receipt_on(
    conn: &mut AnyConnection,
    id: &str,
    agency: &str,
    receipt: &DocumentWrite<'_>,
) -> Result<(), StoreError> {
    let (seq, number) = next_document_number(conn, agency, receipt).await?;
    insert_document_on(conn, &RequestId(id.to_string()), agency, seq, &number, None, receipt).await
}

/// Inserts one event with a known seq (bulk loading of a fresh request).
async fn insert_event_on(conn: &mut AnyConnection, request: &str, seq: i64, event: &Event) -> Result<(), StoreError> {
    let (ty, payload) = event_payload(&event.kind)?;
    sqlx::query(
        "INSERT INTO request_events (id, request, seq, \"on\", \"by\", \"type\", payload, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(request)
    .bind(seq)
    .bind(date_text(event.on))
    .bind(&event.by)
    .bind(ty)
    .bind(payload)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts a fresh request's events with seq 1, 2, ….
pub(crate) async fn insert_events_on(
    conn: &mut AnyConnection,
    request: &str,
    events: &[Event],
) -> Result<(), StoreError> {
    for (i, event) in events.iter().enumerate() {
        let seq = i64::try_from(i + 1)
            .map_err(|_| StoreError::Invalid { what: "events", detail: "too many events".to_string() })?;
        insert_event_on(conn, request, seq, event).await?;
    }
    Ok(())
}

/// What registering a request (with its events) touches.
pub(crate) fn request_touch(request: &Request, events: &[Event], locked: &[i32]) -> [Touch; 1] {
    [Touch {
        table: "requests",
        key: request.tracking_number.clone(),
        years: request_years(request.received_on, events, locked),
        span: request_span(request.received_on, finish_dates(events)),
    }]
}

/// What a checked append carries besides the event ([`Store::append_event_checked`]).
#[derive(Debug, Clone, Copy)]
pub struct EventWrite<'a> {
    /// How many events the request had when the caller validated the new one against them.
    pub after: usize,
    /// The audit record, written in the same transaction.
    pub audit: AuditNote<'a>,
    /// The document the event issues (casework-documents.md C4: event and document are one
    /// write; the store assigns its 文号).
    pub document: Option<DocumentWrite<'a>>,
}

/// What [`Store::append_event_checked`] wrote.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The event's position in the request's events (1 for the first).
    pub seq: i64,
    /// The amendments recorded when the event changed a published year.
    pub amendments: Vec<Amendment>,
    /// The 文号 assigned to the document the event issued, if it issued one.
    pub document_number: Option<String>,
}

/// The agencies of one transaction: their row locks, taken at its start in code order (so that
/// two transactions never wait on each other crosswise), and their locked years.
#[derive(Default)]
pub(crate) struct AgencyLocks(HashMap<String, Vec<i32>>);

impl AgencyLocks {
    /// Locks every agency named (each once, in code order) and reads its locked years.
    pub(crate) async fn take<'a>(
        conn: &mut AnyConnection,
        agencies: impl IntoIterator<Item = &'a str>,
    ) -> Result<AgencyLocks, StoreError> {
        let codes: std::collections::BTreeSet<&str> = agencies.into_iter().collect();
        let mut out = HashMap::new();
        for code in codes {
            lock_agency(conn, code).await?;
            out.insert(code.to_string(), locked_years(conn, code).await?);
        }
        Ok(AgencyLocks(out))
    }

    /// The locked years of an agency taken by [`AgencyLocks::take`] (none for another).
    pub(crate) fn years(&self, agency: &str) -> &[i32] {
        self.0.get(agency).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The events of one request, in order.
pub(crate) async fn fetch_events<'e, E>(ex: E, request: &str) -> Result<Vec<Event>, StoreError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let rows: Vec<EventRow> =
        sqlx::query_as(event_select!("WHERE e.request = $1 ORDER BY e.seq")).bind(request).fetch_all(ex).await?;
    rows.into_iter().map(EventRow::into_event).collect()
}

impl Store {
    /// Registers a request and returns its new id. A tracking number already used in the agency
    /// is [`StoreError::Conflict`]; an unknown agency is [`StoreError::NotFound`]; a request
    /// feeding a locked year is [`StoreError::Locked`] (see [`Store::amending`]).
    #[tracing::instrument(skip_all, fields(agency = %request.agency, tracking_number = %request.tracking_number))]
    pub async fn insert_request(&self, request: &Request) -> Result<RequestId, StoreError> {
        Ok(self.insert_request_with(request, None, None, None).await?.0)
    }

    /// Registers a request as [`Store::insert_request`] does (amending a locked year with
    /// `amend`), with its audit record in the same transaction (issue 21 item 2).
    pub async fn insert_request_audited(
        &self,
        request: &Request,
        amend: Option<&Amend>,
        audit: AuditNote<'_>,
        receipt: Option<DocumentWrite<'_>>,
    ) -> Result<(RequestId, Vec<Amendment>), StoreError> {
        self.insert_request_with(request, amend, Some(audit), receipt).await
    }

    pub(crate) async fn insert_request_with(
        &self,
        request: &Request,
        amend: Option<&Amend>,
        audit: Option<AuditNote<'_>>,
        receipt: Option<DocumentWrite<'_>>,
    ) -> Result<(RequestId, Vec<Amendment>), StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &request.agency).await?;
        let locked = locked_years(&mut tx, &request.agency).await?;
        let touch = request_touch(request, &[], &locked);
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &request.agency, &touch, amend, &mut stale).await?;
        let id = insert_request_on(&mut tx, &self.cipher, request, &[]).await?;
        if let Some(receipt) = &receipt {
            insert_receipt_on(&mut tx, &id, &request.agency, receipt).await?;
        }
        stale.flush(&mut tx).await?;
        if let Some(note) = audit {
            insert_audit_on(&mut tx, &self.cipher, note.event, &ts(note.at)).await?;
        }
        tx.commit().await?;
        tracing::debug!(%id, "request registered");
        Ok((RequestId(id), amendments))
    }

    /// Registers many requests with their events in one transaction (bulk loading, imports):
    /// all or nothing. Returns the ids in input order. The first duplicate tracking number
    /// (against the database or within the batch) is [`StoreError::Conflict`] and nothing is kept;
    /// so is a request feeding a locked year ([`StoreError::Locked`]).
    #[tracing::instrument(skip_all, fields(count = requests.len()))]
    pub async fn insert_requests_bulk(&self, requests: &[(Request, Vec<Event>)]) -> Result<Vec<RequestId>, StoreError> {
        Ok(self.insert_requests_bulk_with(requests, None).await?.0)
    }

    pub(crate) async fn insert_requests_bulk_with(
        &self,
        requests: &[(Request, Vec<Event>)],
        amend: Option<&Amend>,
    ) -> Result<(Vec<RequestId>, Vec<Amendment>), StoreError> {
        let mut tx = self.pool.begin().await?;
        let locks = AgencyLocks::take(&mut tx, requests.iter().map(|(r, _)| r.agency.as_str())).await?;
        let mut amendments = Vec::new();
        let mut stale = Stale::default();
        let mut ids = Vec::with_capacity(requests.len());
        for (request, events) in requests {
            let locked = locks.years(&request.agency);
            let touch = request_touch(request, events, locked);
            amendments.extend(guard(&mut tx, &request.agency, &touch, amend, &mut stale).await?);
            let id = insert_request_on(&mut tx, &self.cipher, request, events).await?;
            insert_events_on(&mut tx, &id, events).await?;
            ids.push(RequestId(id));
        }
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(count = ids.len(), "requests loaded");
        Ok((ids, amendments))
    }

    /// Appends an event to a request and returns its sequence number (1 for the first). The
    /// caller has validated the transition; this only persists. An unknown request is
    /// [`StoreError::NotFound`]; an event reaching a locked year is [`StoreError::Locked`] (see
    /// [`Store::amending`]).
    ///
    /// Concurrent appends to one request are serialised by the agency's row lock (taken by every
    /// guarded write, see [`Store::amending`]) and a no-op update of the request row, both taken
    /// before the next `seq` is read.
    #[tracing::instrument(skip_all, fields(request = %id))]
    pub async fn append_event(&self, id: &RequestId, event: &Event) -> Result<i64, StoreError> {
        Ok(self.append_event_with(id, event, None, None).await?.seq)
    }

    /// Appends an event that the caller validated against the request's first `write.after`
    /// events (amending a locked year with `amend`), with its audit record, in one transaction
    /// (issue 21 items 1 and 2). If the request has another number of events once the write
    /// holds the request's lock — another event was stored in between, by another clerk or a
    /// second click — nothing is written: [`StoreError::Changed`],
    /// and the caller validates again against what is stored now.
    pub async fn append_event_checked(
        &self,
        id: &RequestId,
        event: &Event,
        amend: Option<&Amend>,
        write: EventWrite<'_>,
    ) -> Result<Appended, StoreError> {
        self.append_event_with(id, event, amend, Some(write)).await
    }

    pub(crate) async fn append_event_with(
        &self,
        id: &RequestId,
        event: &Event,
        amend: Option<&Amend>,
        write: Option<EventWrite<'_>>,
    ) -> Result<Appended, StoreError> {
        let (ty, mut payload) = event_payload(&event.kind)?;
        let not_found = || StoreError::NotFound { what: "request", key: id.to_string() };
        // A request's agency never changes: read it first, so that the transaction can start
        // with the agency's lock.
        let agency: String = sqlx::query("SELECT agency FROM requests WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| sqlx::Row::try_get(&r, "agency"))
            .transpose()?
            .ok_or_else(not_found)?;
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &agency).await?;
        let locked =
            sqlx::query("UPDATE requests SET id = id WHERE id = $1").bind(id.as_str()).execute(&mut *tx).await?;
        if locked.rows_affected() == 0 {
            return Err(not_found());
        }
        let row = sqlx::query("SELECT tracking_number, received_on FROM requests WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let number: String = sqlx::Row::try_get(&row, "tracking_number")?;
        if let Some(write) = &write {
            // Under the lock: what the caller validated against must still be all there is.
            let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM request_events WHERE request = $1")
                .bind(id.as_str())
                .fetch_one(&mut *tx)
                .await
                .and_then(|r| sqlx::Row::try_get(&r, "n"))?;
            if usize::try_from(count).ok() != Some(write.after) {
                return Err(StoreError::Changed { what: "request", key: number });
            }
        }
        let received: String = sqlx::Row::try_get(&row, "received_on")?;
        let received = parse_date("requests", "received_on", &received)?;
        let finished: Option<String> = sqlx::query(
            "SELECT \"on\" AS on_date FROM request_events WHERE request = $1 \
             AND \"type\" IN ('reply', 'withdrawal') ORDER BY seq LIMIT 1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| sqlx::Row::try_get(&r, "on_date"))
        .transpose()?;
        let finished = parse_opt_date("request_events", "on", finished.as_deref())?;
        // Every reply and withdrawal already recorded, for the overview cache's span.
        let mut finished_dates = Vec::new();
        for r in sqlx::query(
            "SELECT \"on\" AS on_date FROM request_events WHERE request = $1 AND \"type\" IN ('reply', 'withdrawal')",
        )
        .bind(id.as_str())
        .fetch_all(&mut *tx)
        .await?
        {
            let on: String = sqlx::Row::try_get(&r, "on_date")?;
            finished_dates.push(parse_date("request_events", "on", &on)?);
        }
        let before = request_span(received, finished_dates.iter().copied());
        let after =
            request_span(received, finished_dates.iter().copied().chain(finish_dates(std::slice::from_ref(event))));
        let years = locked_years(&mut tx, &agency).await?;
        let touch = [Touch {
            table: "request_events",
            key: number,
            years: event_years(received, finished, event, &years),
            span: before.union(after),
        }];
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &agency, &touch, amend, &mut stale).await?;
        if finishes(&event.kind) {
            // The earliest reply or withdrawal (see insert_request_on).
            sqlx::query(
                "UPDATE requests SET finished_on = $2 WHERE id = $1 AND (finished_on IS NULL OR finished_on > $2)",
            )
            .bind(id.as_str())
            .bind(date_text(event.on))
            .execute(&mut *tx)
            .await?;
        }
        // The document's 文号, under the agency's lock (gapless per agency, kind and year); a
        // reply's event names its 答复书.
        let number = match write.as_ref().and_then(|w| w.document.as_ref()) {
            Some(d) => {
                let number = next_document_number(&mut tx, &agency, d).await?;
                if let EventKind::Reply { outcome, .. } = &event.kind {
                    let named = EventKind::Reply { outcome: *outcome, document: Some(number.1.clone()) };
                    payload = event_payload(&named)?.1;
                }
                Some(number)
            }
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO request_events (id, request, seq, \"on\", \"by\", \"type\", payload, recorded_at) \
             SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7 \
             FROM request_events WHERE request = $2 \
             RETURNING seq",
        )
        .bind(new_id())
        .bind(id.as_str())
        .bind(date_text(event.on))
        .bind(&event.by)
        .bind(&ty)
        .bind(&payload)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?;
        let seq: i64 = sqlx::Row::try_get(&row, "seq")?;
        if let (Some((doc_seq, number)), Some(d)) = (&number, write.as_ref().and_then(|w| w.document.as_ref())) {
            insert_document_on(&mut tx, id, &agency, *doc_seq, number, Some(seq), d).await?;
        }
        stale.flush(&mut tx).await?;
        if let Some(write) = &write {
            insert_audit_on(&mut tx, &self.cipher, write.audit.event, &ts(write.audit.at)).await?;
        }
        tx.commit().await?;
        tracing::debug!(seq, r#type = %ty, "event appended");
        Ok(Appended { seq, amendments, document_number: number.map(|n| n.1) })
    }

    /// The requests of one agency with their events (in order), by receipt date and tracking
    /// number: [`Store::list_requests`] plus every request's history, in two queries.
    pub async fn list_request_histories(
        &self,
        agency: &str,
        filter: RequestFilter,
    ) -> Result<Vec<(RequestId, Request, Vec<Event>)>, StoreError> {
        let requests = self.list_requests(agency, filter).await?;
        let rows: Vec<EventRow> = sqlx::query_as(event_select!(
            "JOIN requests r ON r.id = e.request WHERE r.agency = $1 ORDER BY e.request, e.seq"
        ))
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        let mut events = events_by_request(rows)?;
        Ok(requests
            .into_iter()
            .map(|(id, r)| {
                let ev = events.remove(id.as_str()).unwrap_or_default();
                (id, r, ev)
            })
            .collect())
    }

    /// A request with its events in order, or `None`.
    pub async fn get_request(&self, id: &RequestId) -> Result<Option<(Request, Vec<Event>)>, StoreError> {
        let row: Option<RequestRow> =
            sqlx::query_as(request_select!("WHERE r.id = $1")).bind(id.as_str()).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let (_, request) = row.into_request(&self.cipher)?;
        let events = fetch_events(&self.pool, id.as_str()).await?;
        Ok(Some((request, events)))
    }

    /// The agency's requests whose applicant gave this identity document number, oldest first:
    /// found by the number's blind index, without decrypting other applicants' data (B3.3). The
    /// office uses it to see an applicant's earlier requests (Art. 35: numbers or frequency
    /// clearly beyond a reasonable range).
    pub async fn requests_by_id_document(
        &self,
        agency: &str,
        id_document: &str,
    ) -> Result<Vec<(RequestId, Request)>, StoreError> {
        let index = self.cipher.blind_index(id_document);
        let rows: Vec<RequestRow> = sqlx::query_as(request_select!(
            "WHERE r.agency = $1 AND r.applicant_id_index = $2 ORDER BY r.received_on, r.tracking_number"
        ))
        .bind(agency)
        .bind(index)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| r.into_request(&self.cipher)).collect()
    }

    /// The id of the request with this tracking number in the agency, or `None`.
    pub async fn find_request(&self, agency: &str, tracking_number: &str) -> Result<Option<RequestId>, StoreError> {
        let row = sqlx::query("SELECT id FROM requests WHERE agency = $1 AND tracking_number = $2")
            .bind(agency)
            .bind(tracking_number)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| sqlx::Row::try_get::<String, _>(&r, "id").map(RequestId).map_err(StoreError::from)).transpose()
    }

    /// The requests of one agency (without events), by receipt date and tracking number.
    pub async fn list_requests(
        &self,
        agency: &str,
        filter: RequestFilter,
    ) -> Result<Vec<(RequestId, Request)>, StoreError> {
        let rows: Vec<RequestRow> = match filter {
            RequestFilter::All => {
                sqlx::query_as(request_select!("WHERE r.agency = $1 ORDER BY r.received_on, r.tracking_number"))
                    .bind(agency)
                    .fetch_all(&self.pool)
                    .await?
            }
            RequestFilter::ReceivedBetween { from, to } => {
                sqlx::query_as(request_select!(
                    "WHERE r.agency = $1 AND r.received_on >= $2 AND r.received_on <= $3 \
                     ORDER BY r.received_on, r.tracking_number"
                ))
                .bind(agency)
                .bind(date_text(from))
                .bind(date_text(to))
                .fetch_all(&self.pool)
                .await?
            }
            RequestFilter::OpenAt(day) => {
                sqlx::query_as(request_select!(
                    "WHERE r.agency = $1 AND r.received_on <= $2 AND NOT EXISTS ( \
                         SELECT 1 FROM request_events e WHERE e.request = r.id \
                         AND e.\"type\" IN ('reply', 'withdrawal') AND e.\"on\" <= $2) \
                     ORDER BY r.received_on, r.tracking_number"
                ))
                .bind(agency)
                .bind(date_text(day))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.into_iter().map(|r| r.into_request(&self.cipher)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::report::RequestRow as Outcome;

    /// The queries finding open requests spell the finishing events (答复, 撤回) as
    /// `e."type" IN ('reply', 'withdrawal')`; those must stay the serde tags.
    #[test]
    fn closing_types_are_the_serde_tags() {
        let reply = EventKind::Reply { outcome: Outcome::Granted, document: None };
        assert_eq!(event_payload(&reply).unwrap().0, "reply");
        assert_eq!(event_payload(&EventKind::Withdrawal).unwrap().0, "withdrawal");
    }
}
