import NIOHTTP1

/// The bounded label values requests are counted by: a method class and a status class.
enum TrafficClass {
    static let methodClasses = ["GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"]
    static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    /// `GET` includes `HEAD`; every other method not listed is `OTHER`.
    static func methodClass(_ method: HTTPMethod) -> Int {
        switch method {
        case .GET, .HEAD: 0
        case .POST: 1
        case .PUT: 2
        case .PATCH: 3
        case .DELETE: 4
        default: 5
        }
    }

    /// A status outside 100...599 (a client gone before any answer, 499) counts as `4xx`.
    static func statusClass(_ status: Int) -> Int {
        switch status {
        case 100..<200: 0
        case 200..<300: 1
        case 300..<400: 2
        case 500..<600: 4
        default: 3
        }
    }
}
