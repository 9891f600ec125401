/**
 * What keeps the agent's private JNA apart from the application: stand-ins for java.util.logging and for the
 * {@code jna.*} system properties, which the build rewrites the agent's copy of JNA to use (agent/src/build/
 * JnaIsolation.java), the loading of that JNA, and native access on JDK 22+. A package of the internals, not of
 * the launcher: JNA's classes live in the isolated loader and can only see classes defined there.
 */
package io.github.sdagent.agent.isolation;
