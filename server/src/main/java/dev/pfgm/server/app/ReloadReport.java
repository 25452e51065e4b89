package dev.pfgm.server.app;

import io.vertx.core.Future;
import java.util.List;

/**
 * What one reload of the models folder did. New streams see the new set as soon as the reload
 * returns; the versions it retired finish their streams first.
 *
 * @param added ids served now that were not before
 * @param replaced ids whose folder changed and loaded: new streams get the new version
 * @param removed ids no longer served (their folder is gone, or names another id now)
 * @param refusals every refused folder, as after startup; a changed folder that was refused says
 *     that its previous version keeps serving
 * @param drained completes once every retired version's streams have ended, its engines are
 *     undeployed and its session is closed
 */
public record ReloadReport(
    List<String> added,
    List<String> replaced,
    List<String> removed,
    List<String> refusals,
    Future<Void> drained) {

  public ReloadReport {
    added = List.copyOf(added);
    replaced = List.copyOf(replaced);
    removed = List.copyOf(removed);
    refusals = List.copyOf(refusals);
  }

  /** Whether the reload changed what is served. */
  public boolean changed() {
    return !added.isEmpty() || !replaced.isEmpty() || !removed.isEmpty();
  }
}
