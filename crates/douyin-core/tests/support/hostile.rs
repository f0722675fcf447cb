//! A purpose-built hostile HTTP/1.1 server on 127.0.0.1 for runtime tests and probes: it answers each request with
//! whatever the test scripts (gzip bombs, endless chunked bodies, echoed credentials, redirects, Retry-After) and
//! records what it received. Raw TCP, so nothing in between tidies up the hostile parts.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as received: the request line and headers (lower-cased names) and the body.
#[derive(Clone, Debug)]
pub struct Received {
    pub head: String,
    pub body: Vec<u8>,
}

impl Received {
    /// The request target (`/path?query`).
    pub fn target(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("")
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// What the server answers.
pub enum Reply {
    /// A complete response with a `Content-Length`.
    Fixed {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// `200` with a chunked body that never ends (until the client hangs up).
    Endless,
    /// `200`, `Content-Encoding: gzip`, the given compressed body streamed as is.
    Gzip(Arc<Vec<u8>>),
}

impl Reply {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Fixed {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Adds a header to a `Fixed` reply.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Fixed { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

/// A running hostile server; it stops when the test's runtime ends.
pub struct Hostile {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Hostile {
    /// Serves `handler` on an ephemeral loopback port.
    pub async fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, handler.clone(), log.clone()));
            }
        });
        Hostile { addr, received }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Received>>>) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(req.clone());
    let _ = match handler(&req) {
        Reply::Fixed {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (n, v) in headers {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let mut out = head.into_bytes();
            out.extend_from_slice(&body);
            stream.write_all(&out).await
        }
        Reply::Endless => endless(&mut stream).await,
        Reply::Gzip(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            match stream.write_all(head.as_bytes()).await {
                Ok(()) => stream.write_all(&body).await,
                Err(e) => Err(e),
            }
        }
    };
}

async fn endless(stream: &mut TcpStream) -> std::io::Result<()> {
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
        .await?;
    let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
    chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
    chunk.extend_from_slice(b"\r\n");
    stream.write_all(b"1\r\n[\r\n").await?;
    loop {
        stream.write_all(&chunk).await?;
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end + 4..].to_vec();
    let mut req = Received {
        head,
        body: Vec::new(),
    };
    let len: usize = req
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while body.len() < len {
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    req.body = body;
    Some(req)
}

/// A gzip member that inflates to `mib` MiB of spaces inside a JSON array (`[` + spaces + `]`), built from one
/// sync-flushed deflate segment repeated, so making a 1 GiB bomb costs one MiB of compression.
pub fn gzip_bomb(mib: u32) -> Vec<u8> {
    use flate2::write::DeflateEncoder;
    use flate2::{Compression, Crc};
    let mib_of_spaces = vec![b' '; 1 << 20];
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&mib_of_spaces).unwrap();
    enc.flush().unwrap(); // sync flush: the segment ends byte-aligned, not final
    let segment = enc.get_ref().clone();
    let mut seg_crc = Crc::new();
    seg_crc.update(&mib_of_spaces);

    let mut open = DeflateEncoder::new(Vec::new(), Compression::best());
    open.write_all(b"[").unwrap();
    open.flush().unwrap();
    let mut crc = Crc::new();
    crc.update(b"[");

    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(open.get_ref());
    for _ in 0..mib {
        out.extend_from_slice(&segment);
        crc.combine(&seg_crc);
    }
    // A final stored block holding `]`.
    out.extend_from_slice(&[0x01, 0x01, 0x00, 0xfe, 0xff, b']']);
    crc.update(b"]");
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}
