//! Connecting: a PostgreSQL server that is down or unreachable is named in the error, in
//! Chinese, within seconds (issue 18: it used to wait 30 s and say 「pool timed out」).

use gongkai_store::{DataKey, Store, StoreError};

#[tokio::test]
async fn an_unreachable_postgres_names_the_server_and_the_database() {
    let key = DataKey::generate().unwrap_or_else(|e| panic!("{e}"));
    // Nothing listens on port 1 of the loopback address.
    let err = match Store::connect("postgres://postgres:secret@127.0.0.1:1/gongkai_nowhere", &key).await {
        Ok(_) => panic!("a connection to port 1 should fail"),
        Err(e) => e,
    };
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(message.contains("gongkai_nowhere"), "{message}");
    assert!(message.contains("请确认数据库服务已启动"), "{message}");
    assert!(!message.contains("secret"), "the password is never shown: {message}");
    assert!(!message.contains("pool timed out"), "{message}");
}
