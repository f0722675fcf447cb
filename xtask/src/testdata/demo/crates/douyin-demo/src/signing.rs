//! The demo domain's signer: the length of the query as `sig`.

use douyin_core::{BoxFuture, SignInput, Signer};

/// Appends `sig=<query length>`.
#[derive(Clone, Copy, Debug, Default)]
pub struct DemoSigner;

impl Signer for DemoSigner {
    fn sign<'a>(
        &'a self,
        input: SignInput<'a>,
    ) -> BoxFuture<'a, Result<Vec<(String, String)>, String>> {
        let len = input.query.len();
        Box::pin(async move { Ok(vec![("sig".to_owned(), len.to_string())]) })
    }
}
