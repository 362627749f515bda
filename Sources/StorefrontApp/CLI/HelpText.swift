/// `--help` for every command.
public enum HelpText {
    public static func text(for topic: String?) -> String {
        switch topic {
        case "serve":
            return """
            usage: storefront serve [--migrate]
              Runs the HTTP server. Configuration comes from environment variables (see README).
              --migrate   apply pending migrations before serving (also MIGRATE_ON_START=true)
            """
        case "migrate":
            return """
            usage: storefront migrate up [--to N] | down [--steps N] | status | create NAME
              up       apply pending migrations (up to version N)
              down     revert the last N applied migrations (default 1)
              status   list migrations and whether each is applied
              create   write the next NNNN_NAME.up.sql / .down.sql pair in MIGRATIONS_DIR
            """
        case "create-admin":
            return """
            usage: storefront create-admin --email E [--name N]
              Creates an admin, or promotes (and re-enables) the account with that email and
              sets its password, ending its sessions. The password is read from ADMIN_PASSWORD
              or else the first line of standard input, never from a flag. Safe to run twice.
              --name   display name for a new account (default: Administrator)
            """
        case "seed":
            return """
            usage: storefront seed
              Creates the demo admin and customer accounts for local development (idempotent;
              refused with APP_ENV=production).
            """
        case "worker":
            return """
            usage: storefront worker
              Runs the background workers without the HTTP server: the job queue, webhook
              deliveries and the periodic purges, WORKER_CONCURRENCY jobs at a time. 'serve'
              runs them too unless WORKERS_ENABLED=false. On SIGTERM it stops claiming, lets
              running jobs finish within SHUTDOWN_GRACE_S and hands the rest back.
            """
        default:
            return """
            usage: storefront <command> [options]
              serve          run the HTTP server
              migrate        apply, revert, list or create database migrations
              create-admin   create or promote an administrator
              seed           create demo accounts for local development
              worker         run the background workers without the HTTP server
            Run 'storefront <command> --help' for a command's options.
            """
        }
    }
}
