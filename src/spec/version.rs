//! ONTAP release numbers, as the spec's `x-ontap-introduced-in` and a cluster's banner give them.

use std::fmt;

/// An ONTAP release number, ordered numerically (9.10.1 > 9.9).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub Vec<u32>);

impl Version {
    /// Parses "9.14.1" or an ONTAP banner ("NetApp Release 9.14.1P2: ...") by its first number run.
    pub fn parse(text: &str) -> Option<Version> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let run: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let parts = run
            .trim_end_matches('.')
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<u32>>>()?;
        (!parts.is_empty()).then_some(Version(parts))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&s.join("."))
    }
}
