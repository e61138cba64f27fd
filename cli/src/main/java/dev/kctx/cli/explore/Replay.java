package dev.kctx.cli.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * A scenario's text with the choices of one run pinned: the original, byte for byte, without a
 * top-level {@code perturb:} section it may have had, then its name (when it had none, so that the
 * replay keeps it whatever the replay file is called) and the new {@code perturb:} section. Every
 * explored run loads this text, so {@code kctx run} of the written file is the explored run.
 */
public final class Replay {
    private Replay() {
    }

    /** {@code original} with {@code choices} pinned; {@code name} is the scenario's name as loaded. */
    public static String text(String original, String name, Choices choices) {
        List<String> lines = new ArrayList<>(original.lines().toList());
        boolean named = false;
        List<String> kept = new ArrayList<>();
        boolean inPerturb = false;
        for (String l : lines) {
            boolean topLevel = !l.isEmpty() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("#");
            if (topLevel) {
                inPerturb = l.startsWith("perturb:");
                named |= l.startsWith("name:");
            }
            if (!inPerturb) {
                kept.add(l);
            }
        }
        StringBuilder sb = new StringBuilder();
        kept.forEach(l -> sb.append(l).append('\n'));
        if (choices.parts().isEmpty() && named) {
            return sb.toString();
        }
        if (!named) {
            sb.append("name: \"").append(name).append("\"\n");
        }
        if (!choices.parts().isEmpty()) {
            sb.append("# pinned by kctx explore: the run's timing choices (docs/explore.md)\n");
            sb.append(choices.yaml());
        }
        return sb.toString();
    }
}
