package dev.kctx.mechanisms.genetlink;

import dev.kctx.mechanisms.netlink.NlaPolicy;

import java.util.List;
import java.util.Map;

/**
 * struct genl_family as a module declares it: name (at most GENL_NAMSIZ-1 characters), version,
 * the highest attribute type and its policy (shared by all commands), the commands, and the names of
 * its multicast groups. The id is assigned at registration.
 */
public record GenlFamily(String name, int version, int maxattr, Map<Integer, NlaPolicy> policy, List<GenlOp> ops,
                         List<String> mcgrps) {
    public GenlFamily {
        policy = Map.copyOf(policy);
        ops = List.copyOf(ops);
        mcgrps = List.copyOf(mcgrps);
    }

    public GenlOp op(int cmd) {
        return ops.stream().filter(o -> o.cmd() == cmd).findFirst().orElse(null);
    }
}
