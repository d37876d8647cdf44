//! The site's identity as the pages read it (spec A3.1, A3.2): the defaults, then what the
//! administrator stored (`gongkai_app::site`), then the `serve` flags, resolved once and kept
//! here so that a page does not read the database for its footer. A change in the console takes
//! effect at once; one made elsewhere (`gongkai site set`, another server) when the server
//! rereads it ([`SiteHandle::reload`], every minute under `gongkai serve`).

use std::sync::{Arc, RwLock};

pub use gongkai_app::site::{SiteConfig, SiteSettings};
use gongkai_store::Store;

/// The resolved identity and what it is resolved from.
#[derive(Debug)]
pub struct SiteHandle {
    /// Below everything: the defaults, or the configuration a test or an embedding gave.
    base: SiteConfig,
    /// Above everything: the `serve` flags and `GONGKAI_SITE_*` settings.
    overrides: SiteSettings,
    current: RwLock<Arc<SiteConfig>>,
}

impl SiteHandle {
    /// The identity `base` with `overrides` over it (nothing stored read yet).
    pub fn new(base: SiteConfig, overrides: SiteSettings) -> SiteHandle {
        let current = RwLock::new(Arc::new(base.clone().with(&overrides)));
        SiteHandle { base, overrides, current }
    }

    /// The identity the pages show now.
    pub fn current(&self) -> Arc<SiteConfig> {
        // A poisoned lock only means a writer panicked between two whole values: the value
        // inside is still a whole configuration.
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The items the `serve` flags fix (the console says that these win over what it stores).
    pub fn overrides(&self) -> &SiteSettings {
        &self.overrides
    }

    /// Resolves again with `stored` as the administrator's layer.
    pub fn apply(&self, stored: &SiteSettings) {
        let resolved = Arc::new(self.base.clone().with(stored).with(&self.overrides));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = resolved;
    }

    /// Rereads the stored identity and resolves again.
    pub async fn reload(&self, store: &Store) -> Result<(), gongkai_app::AppError> {
        let stored = gongkai_app::site::stored(store).await?;
        self.apply(&stored);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_win_over_what_is_stored_and_a_new_store_layer_replaces_the_old() {
        let flags = SiteSettings { site_id_code: Some("3301000009".into()), ..SiteSettings::default() };
        let h = SiteHandle::new(SiteConfig::default(), flags);
        assert_eq!(h.current().site_id_code, "3301000009");
        h.apply(&SiteSettings {
            sponsor: Some("某县人民政府办公室".into()),
            site_id_code: Some("3301000001".into()),
            ..SiteSettings::default()
        });
        assert_eq!(h.current().sponsor, "某县人民政府办公室");
        assert_eq!(h.current().site_id_code, "3301000009");
        h.apply(&SiteSettings::default());
        assert_eq!(h.current().sponsor, SiteConfig::default().sponsor);
    }
}
