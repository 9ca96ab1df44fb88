package dev.vecgrad.autograd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the recorded op(s) (the names passed to {@code Engine.record}) whose gradient a property
 * checks with {@link GradCheck}. {@link OpCoverageTest} fails when an op recorded in the main
 * sources has no property annotated with its name.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Covers {
    /** The op names. */
    String[] value();
}
