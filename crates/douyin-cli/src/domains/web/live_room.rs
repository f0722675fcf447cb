//! The live room a `douyin live` command names: its web_rid from the `room` argument (link, share text or number),
//! the web client for the run's settings, and the room's id from webcast/room/web/enter (the chat needs it).

use clap::ArgMatches;
use douyin_core::Domain;

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

/// The live room the `room` argument names, asked of webcast/room/web/enter; an error when it is not on air.
pub async fn resolve_room(leaf: &ArgMatches) -> Result<Joined, CliError> {
    let ctx = Ctx::load(&CommonArgs::from_matches(leaf))?;
    let web_rid = web_rid(&ctx, leaf).await?;
    let (client, cookie) = web_client(&ctx)?;
    joined(&client, &web_rid, cookie).await
}

/// The room `web_rid` asked of webcast/room/web/enter; an error when it is not on air.
pub async fn joined(
    client: &douyin_web::Client,
    web_rid: &str,
    cookie: Option<douyin_core::Secret>,
) -> Result<Joined, CliError> {
    let answer = client
        .live_room_enter(&douyin_web::LiveRoomEnterParams::new(web_rid.to_owned()))
        .await
        .map_err(|e| CliError::failure(format!("room {web_rid}: {e}")))?;
    let room = douyin_web::live::live_room(&answer)
        .map_err(|e| CliError::failure(format!("room {web_rid}: {e}")))?;
    let room_id = room
        .id_str
        .clone()
        .ok_or_else(|| CliError::failure(format!("room {web_rid}: the answer has no room id")))?;
    Ok(Joined {
        room_id,
        user_agent: douyin_web::SESSION_USER_AGENT
            .unwrap_or("Mozilla/5.0")
            .to_owned(),
        cookie,
    })
}
