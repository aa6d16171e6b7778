import GatewayCore
import NIOCore
import Testing

/// A manual clock: seconds since an arbitrary origin.
private func at(_ seconds: Int64) -> NIODeadline { .uptimeNanoseconds(1_000_000_000_000 + UInt64(seconds) * 1_000_000_000) }

enum OutlierStep: CustomStringConvertible {
    case fail(Int, at: Int64)
    case succeed(Int)
    case readmit(at: Int64)

    var description: String {
        switch self {
        case .fail(let s, let t): return "fail \(s) @\(t)s"
        case .succeed(let s): return "ok \(s)"
        case .readmit(let t): return "readmit @\(t)s"
        }
    }
}

/// Runs the steps and renders what each did: `-` nothing, `E1+30` server 1 ejected for 30 s,
/// `L1` server 1 kept at the limit, `R[0,1]` readmitted.
private func run(_ steps: [OutlierStep], servers: Int = 4, settings: OutlierDetection) -> [String] {
    var machine = OutlierEjectionStateMachine(settings: settings, serverCount: servers)
    return steps.map { step in
        switch step {
        case .fail(let server, let t):
            switch machine.failed(server, now: at(t)) {
            case .none: return "-"
            case .eject(let s, let until): return "E\(s)+\((until - at(t)).nanoseconds / 1_000_000_000)"
            case .keepAtLimit(let s): return "L\(s)"
            }
        case .succeed(let server):
            machine.succeeded(server)
            return "-"
        case .readmit(let t):
            let r = machine.readmitExpired(now: at(t))
            return r.isEmpty ? "-" : "R\(r)"
        }
    }
}

private let three = OutlierDetection(consecutiveFailures: 3, baseEjectionTime: .seconds(10), maxEjectionTime: .seconds(35), maxEjectedPercent: 50)

struct OutlierEjectionStateMachineTests {
    @Test(arguments: [
        ("three in a row eject", [OutlierStep.fail(1, at: 0), .fail(1, at: 1), .fail(1, at: 2)], ["-", "-", "E1+10"]),
        ("a success in between starts over",
         [.fail(1, at: 0), .fail(1, at: 1), .succeed(1), .fail(1, at: 2), .fail(1, at: 3)], ["-", "-", "-", "-", "-"]),
        ("other servers' failures do not count", [.fail(0, at: 0), .fail(1, at: 0), .fail(2, at: 0), .fail(0, at: 1)], ["-", "-", "-", "-"]),
        ("failures while ejected are ignored",
         [.fail(2, at: 0), .fail(2, at: 0), .fail(2, at: 0), .fail(2, at: 1), .fail(2, at: 2), .fail(2, at: 3)], ["-", "-", "E2+10", "-", "-", "-"]),
        ("readmitted when the period ends, not before",
         [.fail(0, at: 0), .fail(0, at: 0), .fail(0, at: 0), .readmit(at: 9), .readmit(at: 10), .readmit(at: 11)], ["-", "-", "E0+10", "-", "R[0]", "-"]),
        ("each ejection lasts longer, capped at the maximum",
         [.fail(0, at: 0), .fail(0, at: 0), .fail(0, at: 0), .readmit(at: 10),
          .fail(0, at: 11), .fail(0, at: 11), .fail(0, at: 11), .readmit(at: 31),
          .fail(0, at: 32), .fail(0, at: 32), .fail(0, at: 32), .readmit(at: 62),
          .fail(0, at: 63), .fail(0, at: 63), .fail(0, at: 63)],
         ["-", "-", "E0+10", "R[0]", "-", "-", "E0+20", "R[0]", "-", "-", "E0+30", "R[0]", "-", "-", "E0+35"]),
        ("the count starts over after a whole maximum period in",
         [.fail(0, at: 0), .fail(0, at: 0), .fail(0, at: 0), .readmit(at: 10),
          .fail(0, at: 45), .fail(0, at: 45), .fail(0, at: 45)],
         ["-", "-", "E0+10", "R[0]", "-", "-", "E0+10"]),
        ("at most half of four servers", [
            .fail(0, at: 0), .fail(0, at: 0), .fail(0, at: 0),
            .fail(1, at: 1), .fail(1, at: 1), .fail(1, at: 1),
            .fail(2, at: 2), .fail(2, at: 2), .fail(2, at: 2),
            .fail(2, at: 3),
        ], ["-", "-", "E0+10", "-", "-", "E1+10", "-", "-", "L2", "L2"]),
        ("a slot freed by readmission is taken by the next failure", [
            .fail(0, at: 0), .fail(0, at: 0), .fail(0, at: 0),
            .fail(1, at: 0), .fail(1, at: 0), .fail(1, at: 0),
            .fail(2, at: 5), .fail(2, at: 5), .fail(2, at: 5),
            .fail(2, at: 10),
        ], ["-", "-", "E0+10", "-", "-", "E1+10", "-", "-", "L2", "E2+10"]),
    ] as [(String, [OutlierStep], [String])])
    func eventsGiveActions(name: String, steps: [OutlierStep], expected: [String]) {
        #expect(run(steps, settings: three) == expected, "\(name): \(steps)")
    }

    @Test(arguments: [(1, 50, 0), (2, 50, 1), (3, 10, 1), (4, 50, 2), (10, 30, 3), (10, 100, 10), (5, 0, 0)])
    func ejectionLimit(servers: Int, percent: Int, limit: Int) {
        #expect(OutlierDetection(maxEjectedPercent: percent).maxEjected(of: servers) == limit)
    }

    @Test func theEjectedMaskFollowsTheState() {
        var machine = OutlierEjectionStateMachine(settings: three, serverCount: 3)
        for _ in 0..<3 { _ = machine.failed(1, now: at(0)) }
        #expect(machine.ejected == [false, true, false])
        #expect(machine.ejectedCount == 1)
        #expect(machine.nextReadmission == at(10))
        #expect(machine.ejections(of: 1) == 1)
        machine.readmitExpired(now: at(10))
        #expect(machine.ejected == [false, false, false])
        #expect(machine.nextReadmission == nil)
    }

    @Test func theOnlyServerIsNeverEjected() {
        var machine = OutlierEjectionStateMachine(settings: three, serverCount: 1)
        let actions = (0..<5).map { _ in machine.failed(0, now: at(0)) }
        #expect(actions.last == .keepAtLimit(server: 0))
        #expect(machine.ejected == [false])
    }
}
