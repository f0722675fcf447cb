//! One domain's generated command module: a subcommand per operation, the function building its `<Op>Params` from
//! the arguments, and the dispatch arm calling the client (or walking its pages) through `Host`.

use super::params::*;
use super::*;

pub(super) fn op_command(d: &Domain, op: &Operation) -> TokenStream {
    let fn_name = format_ident!("{}_command", op.name);
    let name = op.name.to_kebab_case();
    let about = op.summary.trim().to_owned();
    let mut long = vec![about.clone()];
    if let Some(zh) = op
        .doc_zh
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
    {
        long.push(zh.to_owned());
    }
    let mut request = format!(
        "{} {}{}",
        op.method.as_str(),
        op.base_url.as_deref().unwrap_or(""),
        op.path
    );
    if let Some(s) = &op.scope {
        request.push_str(&format!(" (scope `{s}`)"));
    }
    long.push(request);
    if let Some(pg) = &op.pagination {
        let cursor = &pg.cursor;
        long.push(format!(
            "Paginated: `--all-pages` follows `{}` while `{}` says more pages follow and prints the items of `{}` \
             one per line (JSON Lines); `--{}` starts (or resumes) at a cursor.",
            pg.spec.next_cursor,
            pg.spec.has_more,
            pg.spec.items,
            flag(cursor)
        ));
    }
    long.push(format!(
        "Spec: {}; documentation: {}.",
        op.spec_file.display(),
        op.source
    ));
    let long_about = long.join("\n\n");
    let mut example = format!("douyin {} {}", d.name, name);
    for p in op.params.iter().filter(|p| p.is_user() && p.required) {
        let v = p
            .example
            .as_ref()
            .map(value_text)
            .unwrap_or_else(|| "…".to_owned());
        let v = match &p.example {
            Some(Json::Array(items)) if matches!(p.ty, ParamType::List(_)) => items
                .iter()
                .map(|i| {
                    if i.is_string() {
                        value_text(i)
                    } else {
                        format!("'{i}'")
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
            _ if v.contains(|c: char| c.is_whitespace() || "\"'{}[]*&;$".contains(c)) => {
                format!("'{v}'")
            }
            _ => v,
        };
        example.push_str(&format!(" --{} {v}", flag(p)));
    }
    let first = positional(op);
    if let Some(p) = first {
        example.push_str(&format!(
            "\n  douyin {} {} 'LINK or share text'   # for --{}",
            d.name,
            name,
            flag(p)
        ));
    }
    let after = format!("Example:\n  {example}");
    let args = op
        .params
        .iter()
        .filter(|p| p.is_user())
        .map(|p| arg(p, first.is_some_and(|f| f.wire == p.wire)));
    let positional = first.map(|p| {
        let a = positional_arg(p);
        quote!(.arg(#a))
    });
    let paging = op.pagination.as_ref().map(|pg| {
        let cursor = &pg.cursor;
        let f = format!("--{}", flag(cursor));
        quote!(.args(super::paging_args::<H>(#f)))
    });
    let doc = format!("`douyin {} {name}`.", d.name);
    // Only a paginated operation asks the host for its `--all-pages` help.
    let generic = op.pagination.is_some().then(|| quote!(<H: super::Host>));
    quote! {
        #[doc = #doc]
        fn #fn_name #generic() -> ::clap::Command {
            ::clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .after_long_help(#after)
                #(.arg(#args))*
                #positional
                #paging
        }
    }
}

pub(super) fn params_fn(d: &Domain, op: &Operation) -> TokenStream {
    let fn_name = format_ident!("{}_params", op.name);
    let c = crate_ident(d);
    let ty = format_ident!("{}Params", op.name.to_upper_camel_case());
    let user: Vec<&Param> = op.params.iter().filter(|p| p.is_user()).collect();
    let required = user.iter().filter(|p| p.required).map(|p| {
        let (r, f) = (read(d, op, p), format!("--{}", flag(p)));
        quote!(super::required(host, #r, #f)?)
    });
    let optional = user.iter().filter(|p| !p.required).map(|p| {
        let (r, f) = (read(d, op, p), format_ident!("{}", p.rust));
        quote! {
            if let ::std::option::Option::Some(v) = #r {
                p.#f = ::std::option::Option::Some(v);
            }
        }
    });
    let mutable = if user.iter().any(|p| !p.required) {
        quote!(mut)
    } else {
        quote!()
    };
    let unused = if user.is_empty() {
        Some(quote!(let _ = (host, m);))
    } else {
        // `host` makes the errors of required and JSON arguments.
        let needs_host = user.iter().any(|p| {
            let json = match &p.ty {
                ParamType::List(inner) => {
                    kind(inner, p.schema.get("items").unwrap_or(&Json::Null)) == Kind::Json
                }
                t => kind(t, &p.schema) == Kind::Json,
            };
            p.required || json || p.link.is_some()
        });
        (!needs_host).then(|| quote!(let _ = host;))
    };
    let doc = format!(
        "`{ty}` from the arguments of `douyin {} {}`.",
        d.name,
        op.name.to_kebab_case()
    );
    quote! {
        #[doc = #doc]
        async fn #fn_name<H: super::Host>(host: &H, m: &::clap::ArgMatches) -> ::std::result::Result<::#c::#ty, H::Error> {
            #unused
            let #mutable p = ::#c::#ty::new(#(#required),*);
            #(#optional)*
            ::std::result::Result::Ok(p)
        }
    }
}

pub(super) fn run_arm(d: &Domain, op: &Operation) -> TokenStream {
    let name = op.name.to_kebab_case();
    let (m_ident, params_fn) = (
        format_ident!("{}", op.name),
        format_ident!("{}_params", op.name),
    );
    let c = crate_ident(d);
    let (domain, op_name, method, path) = (&d.name, &op.name, op.method.as_str(), &op.path);
    let paging = op.pagination.as_ref().map(|pg| {
        let cursor = &pg.cursor;
        let (id, f, cf) = (
            &cursor.rust,
            format!("--{}", flag(cursor)),
            format_ident!("{}", cursor.rust),
        );
        let set = if cursor.required {
            quote!(p.#cf = c;)
        } else {
            quote!(p.#cf = ::std::option::Option::Some(c);)
        };
        let page = format_ident!("{}_page", op.name);
        // A walk kept in `--state` is named by the operation and its own arguments, the cursor aside.
        let walk = format!("{}:{}", d.name, op.name);
        let first = positional(op).map(positional_id);
        let ids = op
            .params
            .iter()
            .filter(|p| p.is_user() && p.rust != cursor.rust)
            .map(|p| p.rust.clone())
            .chain(first);
        quote! {
            if let ::std::option::Option::Some(paging) = super::paging(m, #f, #id, #walk, &[#(#ids),*]) {
                let params = &params;
                return host
                    .all_pages(paging, |cursor| {
                        let mut p = params.clone();
                        if let ::std::option::Option::Some(c) = cursor {
                            #set
                        }
                        // Owned, so that the page's future borrows nothing and stays `Send` (`douyin serve`).
                        let client = client.clone();
                        async move { client.#m_ident(&p).await.map(::#c::Client::#page) }
                    })
                    .await;
            }
        }
    });
    let positional = match positional(op) {
        Some(p) => {
            let id = positional_id(p);
            quote!(::std::option::Option::Some(#id))
        }
        None => quote!(::std::option::Option::None),
    };
    // A parameter that switches the body to a non-JSON format (Onebound `result_type`) is served as text.
    let text = d.response_formats.as_ref().and_then(|f| {
        let p = op
            .params
            .iter()
            .find(|p| p.wire == f.parameter && p.is_user())?;
        let (id, values) = (&p.rust, &f.text);
        let mt = format_ident!("{}_text", op.name);
        Some(quote! {
            if super::one::<::std::string::String>(m, #id).is_some_and(|v| [#(#values),*].contains(&v.as_str())) {
                return host.respond_text(client.#mt(&params).await);
            }
        })
    });
    quote! {
        #name => {
            host.announce(
                super::Call {
                    domain: #domain,
                    operation: #op_name,
                    method: #method,
                    base_url: client.core().base_url(),
                    path: #path,
                    positional: #positional,
                },
                m,
            );
            let params = #params_fn(host, m).await?;
            #paging
            #text
            host.respond(client.#m_ident(&params).await)
        }
    }
}

pub(super) fn domain_module(d: &Domain) -> TokenStream {
    let name = &d.name;
    let about = d.title.trim().to_owned();
    let mut long = vec![about.clone()];
    if let Some(doc) = d.doc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        long.push(doc.to_owned());
    }
    long.push(format!(
        "Base URL: {} (`--base-url` points elsewhere).",
        d.base_url
    ));
    long.push(format!(
        "Spec: {}/; documentation: {}.",
        d.spec_dir.display(),
        d.source
    ));
    let long_about = long.join("\n\n");
    let creds = d.credentials.iter().map(|c| {
        let n = &c.name;
        let doc = c.doc.as_deref().map(first_paragraph).unwrap_or_default();
        quote!(super::Credential { name: #n, doc: #doc })
    });
    let subcommands = d.operations.iter().map(|op| {
        let f = format_ident!("{}_command", op.name);
        match op.pagination {
            Some(_) => quote!(#f::<H>()),
            None => quote!(#f()),
        }
    });
    let commands = d.operations.iter().map(|op| op_command(d, op));
    let params = d.operations.iter().map(|op| params_fn(d, op));
    let arms = d.operations.iter().map(|op| run_arm(d, op));
    let krate = crate_ident(d);
    let cmd_doc = format!(
        "The `douyin {name}` command: one subcommand per operation of `{}/`.",
        d.spec_dir.display()
    );
    quote! {
        /// The credentials the spec declares (values come from the environment or the config file, never flags).
        pub const CREDENTIALS: &[super::Credential] = &[#(#creds),*];

        #[doc = #cmd_doc]
        pub fn command<H: super::Host>() -> ::clap::Command {
            ::clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                .subcommand_required(true)
                .arg_required_else_help(true)
                #(.subcommand(#subcommands))*
        }

        #(#commands)*

        #(#params)*

        /// Runs operation `op` (its subcommand name) and prints its decoded response (or, with `--all-pages`,
        /// the items of every page).
        pub async fn run<H: super::Host>(
            host: &H,
            op: &str,
            m: &::clap::ArgMatches,
        ) -> ::std::result::Result<(), H::Error> {
            let setup = host.client_setup(#name)?;
            let client: ::#krate::Client = host.build_client(#name, setup, |setup| {
                setup.configure(|values| ::#krate::Client::configured(values))
            })?;
            match op {
                #(#arms)*
                other => ::std::result::Result::Err(host.usage(
                    ::std::format!("{} has no operation `{other}`", #name),
                )),
            }
        }
    }
}
