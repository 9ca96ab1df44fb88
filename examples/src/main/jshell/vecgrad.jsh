// Startup of `./vecgrad shell`, run after jshell's DEFAULT startup (java.util.*, java.io.* ...):
// the packages a session at the prompt needs, so `Tensor.of(1, 2, 3).pow(2).sum()` works at once.
import dev.vecgrad.autograd.*;
import dev.vecgrad.nn.*;
import dev.vecgrad.nn.Module;   // not java.lang.Module, which jshell would also see
import dev.vecgrad.train.optim.*;
import dev.vecgrad.train.data.*;
import dev.vecgrad.train.sample.*;
import dev.vecgrad.train.checkpoint.*;
import dev.vecgrad.train.run.*;
import dev.vecgrad.train.inspect.*;

