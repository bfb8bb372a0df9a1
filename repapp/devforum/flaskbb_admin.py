"""Run FlaskBB admin actions and the FlaskBB web server inside the FlaskBB venv.

This file is executed with the FlaskBB interpreter (Python >= 3.12), never
imported by repapp: it may import only the standard library, flaskbb and
waitress.

    python flaskbb_admin.py --config CFG --instance DIR install '{"username": ...}'
    python flaskbb_admin.py --config CFG --instance DIR serve --port-file F [--port N]
    python flaskbb_admin.py --config CFG --instance DIR helper

``helper`` reads one JSON request per line on stdin, ``{"action": ..., "params":
{...}}``, and answers one JSON line on stdout: ``{"ok": true, "result": {...}}``
or ``{"ok": false, "error": "...", "traceback": "..."}``.

Actions (dates are ISO-8601 strings, naive ones taken as UTC; users are
usernames or ids):

    ping                                             -> {pong, flaskbb}
    create_user  username password [email group date_joined] -> {id, username}
    create_category  title [description position]   -> {id}
    create_forum  category_id title [description position] -> {id}
    create_topic  forum_id author title content [date_created] -> {id, post_id, url}
    add_post  topic_id author content [date_created] -> {id, topic_id}
    edit_post  post_id content [editor date_modified] -> {id, date_modified}
    delete_post  post_id (hard; first post deletes the topic)
                                                     -> {id, topic_id, topic_deleted}
    hide_post  post_id [by]                          -> {id, hidden}
    topic_info  topic_id -> {id, title, forum_id, post_ids, hidden_post_ids,
                             post_count, views, first_post_id, last_post_id, url}
    seed  users=[...] categories=[{title, key?, forums=[{title, key?,
          topics=[{title, key?, posts=[{author, content, date_created?}]}]}]}]
          -> {users: {name: id}, categories: {key: id}, forums: {key: id},
              topics: {key: {id, post_ids}}}  (key defaults to the title)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from datetime import UTC, datetime

log = logging.getLogger("flaskbb_admin")

# Forum settings that make a test/demo forum usable by scripts: no throttled
# logins, no captcha, no activation mail.
RELAXED_SETTINGS = {
    "auth_ratelimit_enabled": False,
    "auth_requests": 100000,
    "auth_timeout": 1,
    "login_recaptcha": 100000,
    "recaptcha_enabled": False,
    "activate_account": False,
}


def make_app(config, instance):
    """Create the FlaskBB app for this work dir."""
    from flaskbb import create_app

    return create_app(config, instance)


def parse_date(value):
    """Turn an ISO-8601 string into an aware UTC datetime (None passes)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(value):
    """Format a datetime from the database as ISO-8601 UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


# --- install ---------------------------------------------------------------


def do_install(params):
    """Create the schema, default groups/settings, the admin and plugin tables."""
    from flaskbb.utils.populate import (
        create_default_groups,
        create_default_settings,
        create_latest_db,
        create_user,
        run_plugin_migrations,
    )
    from flaskbb.extensions import db
    from flaskbb.management.models import Setting

    create_latest_db()
    create_default_groups()
    create_default_settings()
    Setting.update(RELAXED_SETTINGS)
    extra = params.get("settings") or {}
    if extra:
        Setting.update(extra)
    admin = create_user(
        params["username"], params["password"], params["email"], "admin"
    )
    run_plugin_migrations()
    register_plugins()
    db.session.commit()
    return {"admin_id": admin.id}


def register_plugins():
    """Record the loaded plugins, as FlaskBB's first start would.

    Otherwise the web server and the admin helper both insert them when they
    boot side by side and one dies on the unique constraint.
    """
    from flaskbb.extensions import db, pluggy
    from flaskbb.plugins.models import PluginRegistry

    loaded = {name for name, _ in pluggy.list_name_plugin()
              if name != "flaskbb" and not name.startswith("flaskbb.")}
    known = set(db.session.execute(db.select(PluginRegistry.name)).scalars())
    db.session.add_all(PluginRegistry(name=name) for name in sorted(loaded - known))


# --- lookups ---------------------------------------------------------------


def get_user(name_or_id):
    """Find a user by username or id, or fail loudly."""
    from flaskbb.extensions import db
    from flaskbb.user.models import User

    if isinstance(name_or_id, int):
        user = db.session.get(User, name_or_id)
    else:
        user = db.session.execute(
            db.select(User).filter_by(username=name_or_id)
        ).scalar_one_or_none()
    if user is None:
        raise LookupError(f"no such user: {name_or_id!r}")
    return user


def get_obj(model, obj_id):
    """Fetch a row by primary key, or fail loudly."""
    from flaskbb.extensions import db

    obj = db.session.get(model, int(obj_id))
    if obj is None:
        raise LookupError(f"no such {model.__name__.lower()}: {obj_id!r}")
    return obj


# --- actions ---------------------------------------------------------------


def act_ping(params):
    """Answer so the caller knows the helper is up."""
    import flaskbb

    return {"pong": True, "flaskbb": flaskbb.__version__}


def act_create_user(params):
    """Create an activated user in the member (or given) group."""
    from flaskbb.extensions import db
    from flaskbb.utils.populate import create_user

    username = params["username"]
    email = params.get("email") or f"{username.lower()}@example.invalid"
    user = create_user(
        username, params["password"], email, params.get("group", "member")
    )
    joined = parse_date(params.get("date_joined"))
    if joined is not None:
        user.date_joined = joined
        db.session.commit()
    return {"id": user.id, "username": user.username}


def act_create_category(params):
    """Create a category."""
    from flaskbb.forum.models import Category

    category = Category(
        title=params["title"],
        description=params.get("description"),
        position=params.get("position", 1),
    )
    category.save()
    return {"id": category.id}


def act_create_forum(params):
    """Create a forum in a category, open to the default groups (or members only: no guests)."""
    from flaskbb.forum.models import Forum
    from flaskbb.user.models import Group

    forum = Forum(
        title=params["title"],
        description=params.get("description"),
        category_id=int(params["category_id"]),
        position=params.get("position", 1),
    )
    groups = Group.query.filter(Group.guest.is_(False)).all() if params.get("members_only") else None
    forum.save(groups=groups)
    return {"id": forum.id}


def refresh_last_post(topic):
    """Recompute the topic's and forum's last-post data after backdating."""
    from flaskbb.extensions import db
    from flaskbb.forum.models import Post

    last = db.session.execute(
        db.select(Post)
        .filter(Post.topic_id == topic.id, Post.hidden.is_(False))
        .order_by(Post.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is not None:
        topic.last_post = last
        topic.last_updated = last.date_created
    first = db.session.get(Post, topic.first_post_id) if topic.first_post_id else None
    if first is not None:
        topic.date_created = first.date_created
    db.session.commit()
    topic.forum.update_last_post(commit=True)


def act_create_topic(params):
    """Create a topic with its first post; date_created backdates that post."""
    from flaskbb.forum.models import Forum, Post, Topic

    forum = get_obj(Forum, params["forum_id"])
    user = get_user(params["author"])
    topic = Topic(title=params["title"])
    post = Post(content=params["content"])
    topic.save(user=user, forum=forum, post=post)
    created = parse_date(params.get("date_created"))
    if created is not None:
        post.date_created = created
        refresh_last_post(topic)
    return {"id": topic.id, "post_id": post.id, "url": topic.url}


def act_add_post(params):
    """Reply in a topic as a user; date_created backdates the reply."""
    from flaskbb.forum.models import Post, Topic

    topic = get_obj(Topic, params["topic_id"])
    user = get_user(params["author"])
    post = Post(content=params["content"])
    post.save(user=user, topic=topic)
    created = parse_date(params.get("date_created"))
    if created is not None:
        post.date_created = created
        refresh_last_post(topic)
    return {"id": post.id, "topic_id": topic.id}


def act_edit_post(params):
    """Change a post's content and mark it modified, as the forum UI would."""
    from flaskbb.extensions import db
    from flaskbb.forum.models import Post

    post = get_obj(Post, params["post_id"])
    editor = get_user(params["editor"]) if params.get("editor") else post.user
    post.content = params["content"]
    post.date_modified = parse_date(params.get("date_modified")) or datetime.now(UTC)
    post.modified_by = editor.username if editor else post.username
    db.session.commit()
    return {"id": post.id, "date_modified": iso(post.date_modified)}


def act_delete_post(params):
    """Hard-delete a post (deleting a topic's first post deletes the topic)."""
    from flaskbb.forum.models import Post

    post = get_obj(Post, params["post_id"])
    topic_id = post.topic_id
    topic_deleted = post.topic.first_post_id == post.id
    post.delete()
    return {"id": int(params["post_id"]), "topic_id": topic_id,
            "topic_deleted": topic_deleted}


def act_hide_post(params):
    """Soft-delete (hide) a post as a moderator would."""
    from flaskbb.forum.models import Post

    post = get_obj(Post, params["post_id"])
    post.hide(get_user(params.get("by") or 1))
    return {"id": post.id, "hidden": True}


def act_topic_info(params):
    """Describe a topic: visible post ids, counts, views."""
    from flaskbb.extensions import db
    from flaskbb.forum.models import Post, Topic

    topic = get_obj(Topic, params["topic_id"])
    posts = db.session.execute(
        db.select(Post.id, Post.hidden)
        .filter(Post.topic_id == topic.id)
        .order_by(Post.id.asc())
    ).all()
    return {
        "id": topic.id,
        "title": topic.title,
        "forum_id": topic.forum_id,
        "post_ids": [pid for pid, hidden in posts if not hidden],
        "hidden_post_ids": [pid for pid, hidden in posts if hidden],
        "post_count": topic.post_count,
        "views": topic.views,
        "first_post_id": topic.first_post_id,
        "last_post_id": topic.last_post_id,
        "url": topic.url,
    }


def act_seed(params):
    """Create users, then categories > forums > topics > posts from a spec."""
    out = {"users": {}, "categories": {}, "forums": {}, "topics": {}}
    for spec in params.get("users", []):
        out["users"][spec["username"]] = act_create_user(spec)["id"]
    for cat in params.get("categories", []):
        cat_id = act_create_category(cat)["id"]
        out["categories"][cat.get("key", cat["title"])] = cat_id
        for forum in cat.get("forums", []):
            forum_id = act_create_forum({**forum, "category_id": cat_id})["id"]
            out["forums"][forum.get("key", forum["title"])] = forum_id
            for topic in forum.get("topics", []):
                out["topics"][topic.get("key", topic["title"])] = seed_topic(
                    forum_id, topic
                )
    return out


def seed_topic(forum_id, spec):
    """Create one topic and its replies from a spec; return its ids."""
    first, *rest = spec["posts"]
    made = act_create_topic(
        {
            "forum_id": forum_id,
            "title": spec["title"],
            "author": first["author"],
            "content": first["content"],
            "date_created": first.get("date_created"),
        }
    )
    post_ids = [made["post_id"]]
    for reply in rest:
        post_ids.append(act_add_post({**reply, "topic_id": made["id"]})["id"])
    return {"id": made["id"], "post_ids": post_ids}


ACTIONS = {
    "ping": act_ping,
    "create_user": act_create_user,
    "create_category": act_create_category,
    "create_forum": act_create_forum,
    "create_topic": act_create_topic,
    "add_post": act_add_post,
    "edit_post": act_edit_post,
    "delete_post": act_delete_post,
    "hide_post": act_hide_post,
    "topic_info": act_topic_info,
    "seed": act_seed,
}


def run_action(app, action, params):
    """Run one action in a fresh app context so every read sees the db as is."""
    from flaskbb.extensions import db

    func = ACTIONS.get(action)
    if func is None:
        raise KeyError(f"unknown action {action!r}; known: {sorted(ACTIONS)}")
    with app.test_request_context("/"):
        try:
            return func(params)
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


# --- entry points ----------------------------------------------------------


def cmd_helper(app):
    """Serve JSON-line requests on stdin until EOF."""
    # FlaskBB or its plugins may print; keep the protocol channel clean.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            result = run_action(app, request["action"], request.get("params") or {})
            answer = {"ok": True, "result": result}
        except Exception as exc:  # report every failure to the caller
            answer = {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            }
        proto.write(json.dumps(answer, ensure_ascii=False) + "\n")
    proto.close()


def watch_parent(parent_pid):
    """Exit when the process that started us is gone, so no forum is orphaned."""
    import threading
    import time

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(1)
        log.warning("parent %s is gone; stopping", parent_pid)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def cmd_serve(app, host, port, port_file, threads):
    """Serve the forum with waitress; write the bound port to port_file."""
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=threads,
                           ident="FlaskBB")
    tmp = port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(str(server.effective_port))
    # Rename so the parent never reads a half-written file.
    os.replace(tmp, port_file)
    log.info("serving on http://%s:%s", host, server.effective_port)
    server.run()


def main(argv=None):
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--instance", required=True)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_install = sub.add_parser("install")
    p_install.add_argument("admin_json")
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=0)
    p_serve.add_argument("--port-file", required=True)
    p_serve.add_argument("--threads", type=int, default=8)
    p_serve.add_argument("--parent-pid", type=int, default=0)
    sub.add_parser("helper")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    app = make_app(args.config, args.instance)
    if args.cmd == "install":
        with app.app_context():
            result = do_install(json.loads(args.admin_json))
        print(json.dumps(result))
    elif args.cmd == "serve":
        if args.parent_pid:
            watch_parent(args.parent_pid)
        cmd_serve(app, args.host, args.port, args.port_file, args.threads)
    else:
        cmd_helper(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
