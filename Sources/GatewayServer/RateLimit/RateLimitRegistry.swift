import GatewayCore
import GatewayPolicies
import NIOConcurrencyHelpers

/// The rate-limit stores of the running gateway, held outside any plan so that buckets survive
/// a reload when their limit is unchanged.
///
/// Stores are keyed by their bucket space (limit name, key kind, rate and burst): a reload that
/// changes only a limit's mode, headers or location keeps its buckets; one that changes its rate
/// starts it afresh. Touched only when a plan is installed, never per request.
final class RateLimitRegistry: Sendable {
    /// What makes two limits' buckets interchangeable.
    struct BucketSpace: Hashable {
        var name: String
        var key: RateLimitKey
        var parameters: TokenBucket.Parameters
        var source: RateLimitOutcome.Source
    }

    private let local = NIOLockedValueBox<[BucketSpace: LocalRateLimitStore]>([:])

    /// The services for `plan`: one store per named limit, reused where the bucket space is
    /// unchanged. Stores of limits the plan no longer has are forgotten.
    func services(for plan: GatewayPlan) -> PolicyServices {
        local.withLockedValue { stores in
            var kept: [BucketSpace: LocalRateLimitStore] = [:]
            var byName: [String: any RateLimitStore] = [:]
            for spec in plan.rateLimits.values {
                let space = BucketSpace(name: spec.name, key: spec.key, parameters: TokenBucket.Parameters(spec), source: .store)
                let store = stores[space] ?? LocalRateLimitStore(parameters: space.parameters, source: .store)
                kept[space] = store
                byName[spec.name] = store
            }
            stores = kept
            return PolicyServices(rateLimitStores: byName)
        }
    }
}
