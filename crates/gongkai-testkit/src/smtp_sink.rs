//! A local SMTP sink on 127.0.0.1 for the reminder e-mails (never a real server): enough of
//! RFC 5321 to take messages — greeting, EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP,
//! QUIT — and the decoding a test needs (RFC 2047 subjects, base64 bodies).

use std::collections::HashMap;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// A message as the sink received it.
pub struct Received {
    pub from: String,
    pub rcpt: Vec<String>,
    pub data: String,
}

/// Starts the sink; returns its port and the messages it accepts.
pub async fn start() -> (u16, mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read);
            write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
            let (mut from, mut rcpt) = (String::new(), Vec::new());
            loop {
                let mut line = String::new();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    break;
                }
                let upper = line.to_ascii_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                    b"250-sink.test\r\n250 HELP\r\n"
                } else if upper.starts_with("MAIL FROM:") {
                    from = line[10..].trim().to_string();
                    b"250 OK\r\n"
                } else if upper.starts_with("RCPT TO:") {
                    rcpt.push(line[8..].trim().to_string());
                    b"250 OK\r\n"
                } else if upper.starts_with("DATA") {
                    write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await.unwrap();
                    let mut data = String::new();
                    loop {
                        let mut l = String::new();
                        if lines.read_line(&mut l).await.unwrap_or(0) == 0 || l == ".\r\n" {
                            break;
                        }
                        data.push_str(if l.starts_with("..") { &l[1..] } else { &l });
                    }
                    let _ = tx.send(Received { from: from.clone(), rcpt: std::mem::take(&mut rcpt), data });
                    b"250 queued\r\n"
                } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
                    b"250 OK\r\n"
                } else if upper.starts_with("QUIT") {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else {
                    b"502 not implemented\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
        }
    });
    (port, rx)
}

pub fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let clean: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|c| u32::from(value(*c))).collect();
        let n = v.iter().fold(0u32, |acc, x| (acc << 6) | x) << (6 * (4 - v.len()));
        out.extend(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..v.len() - 1]);
    }
    out
}

/// A message's headers (lower-case names, folded lines joined) and its body.
pub fn parse(data: &str) -> (HashMap<String, String>, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let mut headers = HashMap::new();
    let mut last = String::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            headers.entry(last.clone()).and_modify(|v: &mut String| v.push_str(line));
        } else if let Some((k, v)) = line.split_once(':') {
            last = k.to_ascii_lowercase();
            headers.insert(last.clone(), v.trim().to_string());
        }
    }
    (headers, body.to_string())
}

/// An RFC 2047 header value (`=?utf-8?b?…?=` words; whitespace between words dropped).
pub fn decode_header(v: &str) -> String {
    let mut bytes = Vec::new();
    for word in v.split_whitespace() {
        if word.to_ascii_lowercase().starts_with("=?utf-8?b?") && word.ends_with("?=") {
            bytes.extend(base64_decode(&word[10..word.len() - 2]));
        } else {
            bytes.extend(word.as_bytes());
        }
    }
    String::from_utf8(bytes).unwrap()
}
