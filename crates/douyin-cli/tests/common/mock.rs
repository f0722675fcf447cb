//! The mock server on a runtime of its own, while a test drives the `douyin` binary synchronously.

use douyin_mock::MockServer;

pub struct Mock {
    pub server: MockServer,
    pub rt: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start() -> Mock {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start());
        Mock { server, rt }
    }

    /// The server's root URL (`http://127.0.0.1:PORT`), where its media routes are.
    pub fn root(&self) -> String {
        format!("http://{}", self.server.addr())
    }
}
