//! ONTAP release numbers.

use std::fmt;

/// An ONTAP release number, ordered numerically (9.10.1 > 9.9): generation, major, minor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub Vec<u32>);

impl Version {
    /// Parses "9.14.1" or an ONTAP banner ("NetApp Release 9.14.1P2: ...") by its first number
    /// run: what a cluster reports, read leniently.
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

    /// Parses exactly `GENERATION.MAJOR[.MINOR]` (surrounding spaces allowed), e.g. "9.14.1":
    /// what a user configures, read strictly so a typo is refused rather than half-read.
    pub fn parse_release(text: &str) -> Option<Version> {
        let parts = text
            .trim()
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<u32>>>()?;
        (2..=3).contains(&parts.len()).then_some(Version(parts))
    }

    /// The first number (9 in 9.14.1).
    pub fn generation(&self) -> u32 {
        self.part(0)
    }

    /// The second number (14 in 9.14.1).
    pub fn major(&self) -> u32 {
        self.part(1)
    }

    /// The third number (1 in 9.14.1; 0 when not given, as in 9.14).
    pub fn minor(&self) -> u32 {
        self.part(2)
    }

    fn part(&self, i: usize) -> u32 {
        self.0.get(i).copied().unwrap_or(0)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&s.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parse_reads_numbers_and_banners() {
        assert!(Version::parse("9.10.1").unwrap() > Version::parse("9.9").unwrap());
        assert_eq!(
            Version::parse("NetApp Release 9.14.1P2: Tue Feb 06 2024").unwrap(),
            Version(vec![9, 14, 1])
        );
        assert_eq!(Version::parse("no digits"), None);
        assert_eq!(Version::parse("9.14.1").unwrap().to_string(), "9.14.1");
    }

    #[test]
    fn release_parse_takes_two_or_three_numbers_only() {
        let v = Version::parse_release(" 9.14.1 ").unwrap();
        assert_eq!((v.generation(), v.major(), v.minor()), (9, 14, 1));
        let v = Version::parse_release("9.14").unwrap();
        assert_eq!((v.generation(), v.major(), v.minor()), (9, 14, 0));
        for bad in [
            "9",
            "9.14.1.2",
            "9.14.x",
            "9.14.1P2",
            "",
            "NetApp Release 9.14.1",
            "9..1",
        ] {
            assert_eq!(Version::parse_release(bad), None, "{bad:?}");
        }
    }
}
