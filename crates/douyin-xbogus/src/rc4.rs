//! RC4, the stream cipher X-Bogus uses both to scramble the user agent and to
//! mask the signed payload.

/// RC4 state: the key-scheduled permutation plus the two stream indices.
#[derive(Clone)]
pub(crate) struct Rc4 {
    s: [u8; 256],
    i: u8,
    j: u8,
}

impl Rc4 {
    /// Runs the key schedule. `key` must not be empty.
    pub(crate) const fn new(key: &[u8]) -> Self {
        let mut s = [0u8; 256];
        let mut n = 0;
        while n < 256 {
            s[n] = n as u8;
            n += 1;
        }
        let mut j: u8 = 0;
        let mut n = 0;
        while n < 256 {
            j = j.wrapping_add(s[n]).wrapping_add(key[n % key.len()]);
            let t = s[n];
            s[n] = s[j as usize];
            s[j as usize] = t;
            n += 1;
        }
        Self { s, i: 0, j: 0 }
    }

    /// Next keystream byte.
    #[inline]
    pub(crate) const fn next_byte(&mut self) -> u8 {
        self.i = self.i.wrapping_add(1);
        let si = self.s[self.i as usize];
        self.j = self.j.wrapping_add(si);
        self.s[self.i as usize] = self.s[self.j as usize];
        self.s[self.j as usize] = si;
        self.s[self.s[self.i as usize].wrapping_add(si) as usize]
    }

    /// Encrypts (or decrypts) `data` in place.
    #[inline]
    pub(crate) fn apply(&mut self, data: &mut [u8]) {
        for b in data {
            *b ^= self.next_byte();
        }
    }
}

/// The first `N` keystream bytes for `key`, computable at compile time.
pub(crate) const fn keystream<const N: usize>(key: &[u8]) -> [u8; N] {
    let mut rc4 = Rc4::new(key);
    let mut out = [0u8; N];
    let mut n = 0;
    while n < N {
        out[n] = rc4.next_byte();
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encrypt(key: &[u8], plain: &[u8]) -> Vec<u8> {
        let mut data = plain.to_vec();
        Rc4::new(key).apply(&mut data);
        data
    }

    #[test]
    fn classic_vectors() {
        // The well-known test vectors from the RC4 Wikipedia article.
        assert_eq!(
            encrypt(b"Key", b"Plaintext"),
            [0xBB, 0xF3, 0x16, 0xE8, 0xD9, 0x40, 0xAF, 0x0A, 0xD3]
        );
        assert_eq!(encrypt(b"Wiki", b"pedia"), [0x10, 0x21, 0xBF, 0x04, 0x20]);
        assert_eq!(
            encrypt(b"Secret", b"Attack at dawn"),
            [0x45, 0xA0, 0x1F, 0x64, 0x5F, 0xC3, 0x5B, 0x38, 0x35, 0x52, 0x54, 0x4B, 0x9B, 0xF5]
        );
    }

    #[test]
    fn const_keystream_matches_runtime() {
        const KS: [u8; 19] = keystream(&[255]);
        assert_eq!(KS.to_vec(), encrypt(&[255], &[0; 19]));
        assert_eq!(&KS[..4], &[109, 37, 47, 36]);
    }
}
