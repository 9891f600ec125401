package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.bridge.HookBridge;

/**
 * The agent's dispatcher, installed into the bootstrap bridge as soon as the bridge exists (before the hook engine,
 * which only a configured hook needs), so that no other code can claim the bridge first. It forwards to the hook
 * engine once there is one.
 */
public final class BridgeDispatcher implements HookBridge.Dispatcher {

    public static final BridgeDispatcher INSTANCE = new BridgeDispatcher();

    private volatile HookBridge.Dispatcher engine;

    private BridgeDispatcher() {
    }

    /** @return false when other code holds the bridge: the agent's hooks would never be called */
    public static boolean claimBridge() {
        return HookBridge.install(INSTANCE);
    }

    void forwardTo(HookBridge.Dispatcher hookEngine) {
        engine = hookEngine;
    }

    @Override
    public void constructed(int hook, Object instance) {
        HookBridge.Dispatcher target = engine;
        if (target != null) {
            target.constructed(hook, instance);
        }
    }

    @Override
    public void enter(int site, Object self) {
        HookBridge.Dispatcher target = engine;
        if (target != null) {
            target.enter(site, self);
        }
    }

    @Override
    public void exit(int site, Object returned, Throwable thrown) {
        HookBridge.Dispatcher target = engine;
        if (target != null) {
            target.exit(site, returned, thrown);
        }
    }
}
