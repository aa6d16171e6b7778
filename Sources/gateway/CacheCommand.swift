import ArgumentParser
import GatewayServer

/// `gateway cache purge`: removes stored responses from the running gateway's caches, through
/// its admin listener (`POST /cache/purge`).
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Work on the running gateway's response caches.", subcommands: [Purge.self])

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove one URL, or everything under a prefix, from the running gateway's caches.",
            discussion: """
                URL is [http[s]://]host[:port]/path[?query], normalised as requests are (lower-case \
                host, no port); /path[?query] without a host matches every host. Every stored \
                variant of the URL goes. Prints how many keys each cache lost, as JSON.
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The URL to remove (every variant).") var url: String?
        @Option(help: "Remove every URL starting with this (host/path or /path).") var prefix: String?
        @Option(help: "Only this cache (default: all).") var cache: String?

        func validate() throws {
            guard (url == nil) != (prefix == nil) else { throw ValidationError("give either a URL or --prefix") }
        }

        func run() async throws {
            try await options.askAdmin(what: "purged", without: "purging needs the admin listener") { admin in
                try await AdminClient.purgeCache(admin, url: url, prefix: prefix, cache: cache)
            }
        }
    }
}
