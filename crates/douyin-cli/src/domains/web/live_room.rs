//! The live room a `douyin live` command names: its web_rid from the `room` argument (link, share text or number),
//! the web client for the run's settings, and the room's id from webcast/room/web/enter (the chat needs it).

use std::time::Duration;

use clap::ArgMatches;
use douyin_core::Domain;
use douyin_web::live::LiveError;

use crate::context::Ctx;
use crate::generated::{CommonArgs, Link, LinkKind};
use crate::support::CliError;

/// A room to join: its id and what the connection sends.
pub struct Joined {
    /// The room's id (not the web_rid).
    pub room_id: String,
    /// The user agent.
    pub user_agent: String,
    /// The cookie credential, if any.
    pub cookie: Option<douyin_core::Secret>,
}

/// The web client for the run's settings.
pub fn web_client(
    ctx: &Ctx,
) -> Result<(douyin_web::Client, Option<douyin_core::Secret>), CliError> {
    let domain = douyin_web::Web::NAME;
    let setup = crate::clients::setup(ctx, domain, None)?;
    let cookie = setup.value("cookie");
    let configured = setup.configure(|values| douyin_web::Client::configured(values));
    Ok((
        crate::clients::build(ctx, domain, configured, setup)?,
        cookie,
    ))
}

/// The web_rid of the `room` argument.
pub async fn web_rid(ctx: &Ctx, leaf: &ArgMatches) -> Result<String, CliError> {
    let link = Link {
        domain: douyin_web::Web::NAME,
        kind: LinkKind::Live,
        flag: "ROOM",
    };
    let room = leaf.get_one::<String>("room").cloned().unwrap_or_default();
    super::share::id_for(ctx, link, room).await
}

/// The longest pause between two looks at a room that is not live (as `live record --wait`).
const MAX_WAIT: Duration = Duration::from_secs(60);

/// The live room the `room` argument names, asked of webcast/room/web/enter; when it is not on air, an error, or
/// with `wait` (the first pause, doubled up to a minute) asked again until it is. `Ok(None)`: Ctrl-C while waiting.
pub async fn resolve_room(
    leaf: &ArgMatches,
    wait: Option<Duration>,
) -> Result<Option<Joined>, CliError> {
    let ctx = Ctx::load(&CommonArgs::from_matches(leaf))?;
    let web_rid = web_rid(&ctx, leaf).await?;
    let (client, cookie) = web_client(&ctx)?;
    let Some(mut pause) = wait else {
        return joined(&client, &web_rid, cookie).await.map(Some);
    };
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        match enter(&client, &web_rid, cookie.clone()).await? {
            Ok(room) => return Ok(Some(room)),
            Err(offline) => eprintln!("douyin: {offline}; looking again in {pause:?}"),
        }
        tokio::select! {
            _ = &mut stop => return Ok(None),
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(MAX_WAIT);
    }
}

/// The room `web_rid` asked of webcast/room/web/enter; an error when it is not on air.
pub async fn joined(
    client: &douyin_web::Client,
    web_rid: &str,
    cookie: Option<douyin_core::Secret>,
) -> Result<Joined, CliError> {
    enter(client, web_rid, cookie)
        .await?
        .map_err(CliError::failure)
}

/// The room `web_rid` asked of webcast/room/web/enter: `Ok(Err(why))` when it is not on air (or not found).
async fn enter(
    client: &douyin_web::Client,
    web_rid: &str,
    cookie: Option<douyin_core::Secret>,
) -> Result<Result<Joined, String>, CliError> {
    let answer = client
        .live_room_enter(&douyin_web::LiveRoomEnterParams::new(web_rid.to_owned()))
        .await
        .map_err(|e| CliError::failure(format!("room {web_rid}: {e}")))?;
    let room = match douyin_web::live::live_room(&answer) {
        Ok(room) => room,
        Err(e @ (LiveError::NotLive { .. } | LiveError::NoRoom)) => {
            return Ok(Err(format!("room {web_rid}: {e}")))
        }
        Err(e) => return Err(CliError::failure(format!("room {web_rid}: {e}"))),
    };
    let room_id = room
        .id_str
        .clone()
        .ok_or_else(|| CliError::failure(format!("room {web_rid}: the answer has no room id")))?;
    Ok(Ok(Joined {
        room_id,
        user_agent: douyin_web::SESSION_USER_AGENT
            .unwrap_or("Mozilla/5.0")
            .to_owned(),
        cookie,
    }))
}
