//! The mock server on a runtime of its own, while a test drives the `douyin` binary synchronously.

use douyin_mock::{MockConfig, MockServer};

pub struct Mock {
    pub server: MockServer,
    pub rt: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start() -> Mock {
        Mock::start_with(MockConfig::default())
    }

    pub fn start_with(config: MockConfig) -> Mock {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start_with(config));
        Mock { server, rt }
    }

    /// The server's root URL (`http://127.0.0.1:PORT`), where its media routes are.
    pub fn root(&self) -> String {
        format!("http://{}", self.server.addr())
    }
}
