package org.osgi.framework;

/**
 * Stands in for OSGi's interface of that name, which Felix's and Equinox's bundle class loaders implement and by
 * whose name the agent knows a bundle's loader (the agent has no OSGi API): see FelixLikeLoader.
 */
public interface BundleReference {
}
