// Drives an agora node with a real Mastodon client library, as an app
// would: register, sign in through the consent form (over HTTP, as a
// browser), verify credentials, follow a forum and a thread actor, read
// the home timeline, reply, favourite, upload an image, describe it and
// reply with it, read notifications, and receive a new answer on the
// streaming API within 2 s. Run by
// web/mastoapi/clients_test.go with CLIENT=masto or CLIENT=megalodon.
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";
import megalodon from "megalodon";
const generator = megalodon.default ?? megalodon;
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};
const base = env("AGORA_BASE");
const user = env("AGORA_USER");
const password = env("AGORA_PASSWORD");
const forumSlug = env("AGORA_FORUM");
const threadID = env("AGORA_THREAD");
const answerID = env("AGORA_ANSWER"); // someone else's answer, to favourite
const otherToken = env("AGORA_OTHER_TOKEN"); // another member, who answers
const which = env("CLIENT");

const step = (name, detail = "") => console.log(JSON.stringify({ step: name, detail }));
const fail = (msg) => {
  throw new Error(msg);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A browser: cookies kept, redirects seen one by one.
const jar = new Map();
async function browse(url, init = {}) {
  const headers = new Headers(init.headers || {});
  if (jar.size) headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const res = await fetch(new URL(url, base), { ...init, headers, redirect: "manual" });
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return res;
}
const hidden = (html) => {
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)) {
    form.set(m[1], m[2].replaceAll("&amp;", "&").replaceAll("&#43;", "+"));
  }
  return form;
};
const post = (url, form) =>
  browse(url, { method: "POST", body: form.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" } });

// consent follows the authorize URL through agora's sign-in and consent
// form and returns the code the app receives (from the redirect, or from
// the out-of-band page).
async function consent(authorizeURL) {
  let res = await browse(authorizeURL);
  if (res.status !== 303) fail(`authorize: ${res.status}`);
  const loginURL = res.headers.get("location");
  res = await browse(loginURL);
  const login = hidden(await res.text());
  login.set("username", user);
  login.set("password", password);
  res = await post("/login", login);
  if (res.status !== 303) fail(`sign in: ${res.status}`);
  res = await browse(res.headers.get("location"));
  const page = await res.text();
  if (res.status !== 200) fail(`consent page: ${res.status} ${page.slice(0, 200)}`);
  const form = hidden(page);
  form.set("decision", "approve");
  res = await post("/oauth/authorize", form);
  if (res.status === 302) {
    const code = new URL(res.headers.get("location")).searchParams.get("code");
    if (!code) fail(`no code in ${res.headers.get("location")}`);
    return code;
  }
  const m = (await res.text()).match(/id="code" value="([^"]+)"/);
  if (!m) fail(`approve: ${res.status}`);
  return m[1];
}

// asOther answers as another member, with plain HTTP.
async function asOther(inReplyTo, text) {
  const res = await fetch(new URL("/api/v1/statuses", base), {
    method: "POST",
    headers: { Authorization: `Bearer ${otherToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ status: text, in_reply_to_id: inReplyTo, language: "pt" }),
  });
  if (res.status !== 200) fail(`answer as the other member: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

async function eventually(what, fn, ms = 8000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) fail(`timed out: ${what}`);
    await sleep(200);
  }
}

// A 2 × 2 PNG, as a phone's gallery would hand one over.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4oREFRAwQCgAl3gUpEzqvXwAAAABJRU5ErkJggg==",
  "base64",
);
const alt = "A map of the square with the wifi kiosk";

// checkImage checks a status that carries the uploaded image: one image
// attachment with its description, shown on the thread page.
async function checkImage(attachments) {
  const img = attachments?.[0];
  if (attachments?.length !== 1 || img.type !== "image" || img.description !== alt) {
    fail(`attachments: ${JSON.stringify(attachments)}`);
  }
  if (!(await threadPageHas(new URL(img.url).pathname))) fail("the image is not on the thread page");
  const res = await fetch(img.url);
  if (res.status !== 200 || res.headers.get("content-type") !== "image/png") fail(`image: ${res.status}`);
  return img.url;
}

async function threadPageHas(text) {
  const html = await (await fetch(new URL(`/t/${threadID}`, base))).text();
  return html.includes(text);
}

async function withMasto() {
  const redirect = "http://127.0.0.1:9/callback";
  const anon = createRestAPIClient({ url: base });
  const instance = await anon.v2.instance.fetch();
  step("instance", instance.version);
  const app = await anon.v1.apps.create({ clientName: "masto.js test", redirectUris: redirect, scopes: "read write follow" });
  step("app", app.clientId ? "registered" : fail("no client id"));
  const verifier = randomBytes(40).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const code = await consent(
    `/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: app.clientId, redirect_uri: redirect, scope: "read write follow", state: "s1", code_challenge: challenge, code_challenge_method: "S256" })}`,
  );
  const oauth = createOAuthAPIClient({ url: base });
  const token = await oauth.token.create({
    grantType: "authorization_code", clientId: app.clientId, clientSecret: app.clientSecret,
    redirectUri: redirect, code, codeVerifier: verifier, scope: "read write follow",
  });
  const client = createRestAPIClient({ url: base, accessToken: token.accessToken });
  const me = await client.v1.accounts.verifyCredentials();
  if (me.username !== user) fail(`verify_credentials: ${me.username}`);
  step("verify_credentials", me.acct);

  const forum = await client.v1.accounts.lookup({ acct: forumSlug });
  if (!forum.group) fail("the forum is not a group");
  await client.v1.accounts.$select(forum.id).follow();
  const thread = await client.v1.accounts.lookup({ acct: `t-${threadID}` });
  const rel = await client.v1.accounts.$select(thread.id).follow();
  if (!rel.following) fail("thread actor not followed");
  step("follow", `${forum.acct} ${thread.acct}`);

  const home = await client.v1.timelines.home.list({ limit: 20 });
  if (!home.some((s) => s.id === threadID)) fail(`home lacks the question: ${home.map((s) => s.id)}`);
  step("home", `${home.length} statuses`);

  const text = `masto answers ${Date.now()}`;
  const mine = await client.v1.statuses.create({ status: text, inReplyToId: threadID, language: "en" });
  if (mine.inReplyToId !== threadID) fail("reply not in the thread");
  if (!(await threadPageHas(text))) fail("the reply is not on the thread page");
  step("reply", mine.id);

  const fav = await client.v1.statuses.$select(answerID).favourite();
  if (!fav.favourited || fav.favouritesCount < 1) fail(`favourite: ${JSON.stringify(fav)}`);
  step("favourite", String(fav.favouritesCount));

  const upload = await client.v2.media.create({ file: new Blob([png], { type: "image/png" }) });
  const described = await client.v1.media.$select(upload.id).update({ description: alt });
  if (described.description !== alt) fail(`describe: ${JSON.stringify(described)}`);
  const pictured = await client.v1.statuses.create({ status: "masto shows the square", inReplyToId: threadID, mediaIds: [upload.id] });
  step("media", await checkImage(pictured.mediaAttachments));

  await asOther(mine.id, "Obrigado, masto!");
  const note = await eventually("a mention notification", async () =>
    (await client.v1.notifications.list()).find((n) => n.type === "mention" && n.status?.inReplyToId === mine.id));
  step("notifications", note.type);

  const streamingApiUrl = instance.configuration.urls.streaming;
  const streaming = createStreamingAPIClient({ streamingApiUrl, accessToken: token.accessToken, retry: false, log: process.env.MASTO_LOG || "warn" });
  const sub = streaming.user.subscribe();
  // Iterating opens the socket and sends the subscription: start now,
  // answer once it is open.
  let newID = null;
  let started = 0;
  const arrived = (async () => {
    for await (const e of sub) {
      if (e.event === "update" && newID && e.payload.id === newID) return Date.now() - started;
    }
  })();
  // masto.js waits a second (its backoff's first step) before it dials.
  await sleep(2000);
  started = Date.now();
  newID = await asOther(threadID, `Streaming check ${started}`);
  const got = await Promise.race([arrived, sleep(2000 - (Date.now() - started)).then(() => null)]);
  sub.unsubscribe();
  streaming.close();
  if (got === null) fail("no update on the stream within 2 s");
  step("streaming", `${got} ms`);
}

async function withMegalodon() {
  const anon = generator("mastodon", base);
  const app = await anon.registerApp("megalodon test", { scopes: ["read", "write", "follow"], redirect_uris: "urn:ietf:wg:oauth:2.0:oob" });
  step("app", app.client_id ? "registered" : fail("no client id"));
  const code = await consent(new URL(app.url).pathname + new URL(app.url).search);
  const token = await anon.fetchAccessToken(app.client_id, app.client_secret, code, "urn:ietf:wg:oauth:2.0:oob");
  const client = generator("mastodon", base, token.access_token);
  const me = (await client.verifyAccountCredentials()).data;
  if (me.username !== user) fail(`verify_credentials: ${me.username}`);
  step("verify_credentials", me.acct);

  const forum = (await client.searchAccount(forumSlug, { limit: 1 })).data[0] ?? fail("forum not found");
  await client.followAccount(forum.id);
  const thread = (await client.searchAccount(`t-${threadID}`, { limit: 1 })).data[0] ?? fail("thread actor not found");
  const rel = (await client.followAccount(thread.id)).data;
  if (!rel.following) fail("thread actor not followed");
  step("follow", `${forum.acct} ${thread.acct}`);

  const home = (await client.getHomeTimeline({ limit: 20 })).data;
  if (!home.some((s) => s.id === threadID)) fail("home lacks the question");
  step("home", `${home.length} statuses`);

  const text = `megalodon answers ${Date.now()}`;
  const mine = (await client.postStatus(text, { in_reply_to_id: threadID, language: "en" })).data;
  if (mine.in_reply_to_id !== threadID) fail("reply not in the thread");
  if (!(await threadPageHas(text))) fail("the reply is not on the thread page");
  step("reply", mine.id);

  const fav = (await client.favouriteStatus(answerID)).data;
  if (!fav.favourited) fail("favourite");
  step("favourite", String(fav.favourites_count));

  const file = join(mkdtempSync(join(tmpdir(), "agora-megalodon-")), "square.png");
  writeFileSync(file, png);
  const upload = (await client.uploadMedia(createReadStream(file))).data;
  const described = (await client.updateMedia(upload.id, { description: alt })).data;
  if (described.description !== alt) fail(`describe: ${JSON.stringify(described)}`);
  const pictured = (await client.postStatus("megalodon shows the square", { in_reply_to_id: threadID, media_ids: [upload.id] })).data;
  step("media", await checkImage(pictured.media_attachments));

  await asOther(mine.id, "Obrigado, megalodon!");
  const note = await eventually("a mention notification", async () =>
    (await client.getNotifications()).data.find((n) => n.type === "mention" && n.status?.in_reply_to_id === mine.id));
  step("notifications", note.type);

  const stream = await client.userStreaming();
  await new Promise((resolve, reject) => {
    stream.on("connect", resolve);
    stream.on("error", reject);
    setTimeout(() => reject(new Error("stream did not connect")), 3000);
  });
  await sleep(200);
  const started = Date.now();
  let newID = null;
  const got = await new Promise((resolve) => {
    stream.on("update", (s) => {
      if (newID && s.id === newID) resolve(Date.now() - started);
    });
    setTimeout(() => resolve(null), 2000);
    asOther(threadID, `Streaming check ${started}`).then((id) => (newID = id));
  });
  stream.stop();
  if (got === null) fail("no update on the stream within 2 s");
  step("streaming", `${got} ms`);
}

try {
  if (which === "masto") await withMasto();
  else if (which === "megalodon") await withMegalodon();
  else fail(`unknown CLIENT ${which}`);
  step("done");
  process.exit(0);
} catch (e) {
  console.error(`FAIL ${which}: ${e.stack || e}`);
  process.exit(1);
}
