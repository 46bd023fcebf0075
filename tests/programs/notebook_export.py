#!/usr/bin/env python
# coding: utf-8

# # Regression with Keras (a notebook exported with `jupyter nbconvert --to script`)

# In[1]:


get_ipython().run_line_magic('matplotlib', 'inline')  # noqa: F821 (nbconvert writes it)
import numpy as np
import matplotlib.pyplot as plt
from tensorflow import keras
from tensorflow.keras import layers


# In[2]:


rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, size=(300, 1)).astype("float32")
y = (x ** 2 + 0.05 * rng.normal(size=x.shape)).astype("float32")
plt.scatter(x, y, s=4)
plt.show()


# In[3]:


model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[1]),
                          layers.Dense(16, activation="relu"),
                          layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
history = model.fit(x, y, epochs=20, validation_split=0.2, verbose=0)


# In[4]:


hist = {key: values[-3:] for key, values in history.history.items()}
hist['epoch'] = history.epoch[-3:]
display(hist)  # noqa: F821 (a notebook's builtin)


# In[5]:


plt.plot(history.history['loss'], label='loss')
plt.plot(history.history['val_loss'], label='val_loss')
plt.legend()
plt.show()
print("final val_mae:", history.history["val_mae"][-1])
